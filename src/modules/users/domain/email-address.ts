import { DomainError } from '../../../shared/domain/domain-error.js';
import { firstInvisibleCharacter } from '../../../shared/domain/invisible-characters.js';
import type { ParseResult } from '../../../shared/domain/parse-result.js';

// A practical subset of RFC 5322 addresses as mail providers hand them out: dot-atom local part (letters of
// any script allowed, as internationalised mailboxes are), a domain of at least two labels, no quoted local
// parts, comments or IP literals. Compiled once: the import validates hundreds of thousands of rows.
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN =
  /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}(?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])$/u;
const BLANK = /\s/u;
// What mail clients and web pages put around an address when it is copied from them.
const MAILTO = /^mailto:/i;
const NAME_AND_ADDRESS = /<([^<>\s]+@[^<>\s]+)>$/;

/** E-mail addresses are compared case-insensitively within a network. */
export const emailKey = (email: string): string => email.trim().toLowerCase();

export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;

/** Looked for only once an address has failed: it costs nothing on the hundreds of thousands that pass. */
function copiedWithExtras(value: string): string | undefined {
  if (MAILTO.test(value)) return `it starts with "mailto:"; write the address alone: ${value.slice('mailto:'.length)}`;
  const named = NAME_AND_ADDRESS.exec(value);
  if (named !== null) return `it holds a name besides the address; write the address alone: ${named[1]}`;
  return undefined;
}

export class EmailAddress {
  private constructor(
    /** As written (trimmed): what the user sees. */
    readonly value: string,
    /** Lower-cased: how two spellings of one mailbox are recognised as the same user. */
    readonly key: string,
  ) {}

  static parse(text: string): ParseResult<EmailAddress> {
    const value = text.trim();
    const parsed = EmailAddress.parseTrimmed(value);
    if (parsed.ok) return parsed;
    // An accent written as a letter and a combining mark (e + U+0301, as macOS text can hold é) fails the rules
    // above; composed, it is the same address. Tried only on failure: composing every address would cost the import.
    const composed = value.normalize('NFC');
    return composed === value ? parsed : EmailAddress.parseTrimmed(composed);
  }

  private static parseTrimmed(value: string): ParseResult<EmailAddress> {
    if (value === '') return { ok: false, reason: 'it is empty' };
    if (value.length > MAX_EMAIL_LENGTH) return { ok: false, reason: `it is longer than ${MAX_EMAIL_LENGTH} characters` };
    const at = value.indexOf('@');
    if (at < 0) return { ok: false, reason: 'it has no @' };
    if (value.indexOf('@', at + 1) >= 0) return { ok: false, reason: 'it has more than one @' };
    const invisible = firstInvisibleCharacter(value);
    if (invisible !== undefined) {
      return { ok: false, reason: `it contains an invisible character (${invisible}), as copying from a web page or document leaves; type the address again` };
    }
    if (BLANK.test(value)) return { ok: false, reason: copiedWithExtras(value) ?? 'it contains a space' };
    const local = value.slice(0, at);
    const domain = value.slice(at + 1);
    if (local === '') return { ok: false, reason: 'nothing comes before the @' };
    if (domain === '') return { ok: false, reason: 'nothing comes after the @' };
    if (local.length > MAX_LOCAL_PART_LENGTH) {
      return { ok: false, reason: `the part before the @ is longer than ${MAX_LOCAL_PART_LENGTH} characters` };
    }
    if (!LOCAL_PART.test(local)) return { ok: false, reason: copiedWithExtras(value) ?? 'the part before the @ has characters or dots an address cannot have' };
    if (!DOMAIN.test(domain)) return { ok: false, reason: 'the part after the @ is not a domain name like example.com' };
    return { ok: true, value: new EmailAddress(value, emailKey(value)) };
  }

  equals(other: EmailAddress): boolean {
    return this.key === other.key;
  }

  toString(): string {
    return this.value;
  }
}

/** For the API's edge: the trimmed address, or a DomainError naming the field with the same reason a CSV row gets. */
export function parseEmail(raw: string, field = 'email'): string {
  if (raw.trim() === '') throw new DomainError('invalid-value', 'E-mail is required.', field);
  const parsed = EmailAddress.parse(raw);
  if (!parsed.ok) throw new DomainError('invalid-value', `"${raw.trim()}" is not a valid e-mail address (${parsed.reason}).`, field);
  return parsed.value.value;
}
