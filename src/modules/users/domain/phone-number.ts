import { Metadata, isSupportedCountry, parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';
import { DomainError } from '../../../shared/domain/domain-error.js';
import type { ParseResult } from '../../../shared/domain/parse-result.js';

/**
 * A phone number in E.164 form (+911234123411), checked for a possible length with libphonenumber-js and its
 * "min" metadata. Spaces, dashes, dots and parentheses are dropped first, so the guide's "(+91)1234123411"
 * reads as +911234123411. Without a default region, a number must carry its country code (+ or 00).
 */
export class PhoneNumber {
  private constructor(readonly e164: string) {}

  static parse(text: string, defaultRegion?: string): ParseResult<PhoneNumber> {
    const compact = stripSeparators(text);
    if (compact === '' || !DIALABLE.test(compact)) return { ok: false, reason: whyNotDialable(text.trim(), compact) };
    const region = regionOf(defaultRegion);
    let number = compact;
    if (region === undefined && number.startsWith('00')) number = '+' + number.slice(2);
    if (number.charCodeAt(0) === PLUS) {
      const fast = fastInternational(number);
      if (fast !== undefined) return { ok: true, value: new PhoneNumber(fast) };
    } else if (region === undefined) {
      return { ok: false, reason: 'it has no country code; write it as +<country code><number>, e.g. +44 7911 123456' };
    }
    const parsed = parsePhoneNumberFromString(number, region ? { defaultCountry: region } : {}, metadata);
    if (parsed === undefined) return { ok: false, reason: whyUnparsed(number, region) };
    if (!parsed.isPossible()) {
      return { ok: false, reason: `it is not a possible phone number: wrong number of digits for a +${parsed.countryCallingCode} number` };
    }
    return { ok: true, value: new PhoneNumber(parsed.number) };
  }

  toString(): string {
    return this.e164;
  }
}

/** For the API's edge: the number in E.164, or a DomainError naming the field with the same reason a CSV row gets. */
export function parseMobile(raw: string, defaultRegion?: string, field = 'mobile'): string {
  const parsed = PhoneNumber.parse(raw, defaultRegion);
  if (!parsed.ok) throw new DomainError('invalid-value', `"${raw.trim()}" is not a valid mobile number (${parsed.reason}).`, field);
  return parsed.value.e164;
}

const PLUS = 43;
const DIALABLE = /^\+?\d+$/;
// What Excel shows, and writes into a CSV, for a long number in a cell formatted as a number: 9.19876E+11.
const SCIENTIFIC = /^\d(?:[.,]\d+)?E\+\d+$/i;
// What spreadsheets and HR exports write for "no mobile": no number, so the admin is told to give none (an empty cell)
// rather than told it is empty or has wrong characters.
const NO_NUMBER = /^(?:[-‐‑‒–—]+|n\/a|#n\/a|none)$/i;
// A desk phone's extension, as directories write it: "ext. 12", "x5", "extension 340", "#12".
const EXTENSION = /\d[\s.)-]*(?:ext\.?|extension|x|#)\s*\d{1,6}$/i;

function whyNotDialable(trimmed: string, compact: string): string {
  if (NO_NUMBER.test(trimmed)) return 'it stands for "no number": give no mobile at all when the user has none';
  if (compact === '') return 'it is empty';
  if (EXTENSION.test(trimmed)) return 'it has an extension, which a mobile number cannot have; give the mobile number alone';
  if (SCIENTIFIC.test(trimmed)) {
    return 'a spreadsheet turned it into a number in scientific notation; format the column as text and type the number again';
  }
  return 'it may only contain digits, a leading +, spaces, dashes, dots and parentheses';
}

/** Why libphonenumber-js read no number: too many digits (it says TOO_LONG), else no country behind it. */
function whyUnparsed(number: string, region: CountryCode | undefined): string {
  const international = number.charCodeAt(0) === PLUS;
  if (validatePhoneNumberLength(number, region ? { defaultCountry: region } : {}, metadata) === 'TOO_LONG') {
    const callingCode = international ? callingCodeOf(number) : undefined;
    return `it has too many digits for ${callingCode === undefined ? 'a phone' : `a +${callingCode}`} number`;
  }
  return international ? 'its country code does not exist' : 'it is not a phone number';
}

/** The calling code a "+<digits>" number starts with (calling codes are 1 to 3 digits, none a prefix of another). */
function callingCodeOf(international: string): string | undefined {
  for (let end = 2; end <= 4 && end <= international.length; end++) {
    const callingCode = international.slice(1, end);
    if (view.hasCallingCode(callingCode)) return callingCode;
  }
  return undefined;
}

/** Throws on a region libphonenumber does not know, so a wrong option fails at start-up, not on every row. */
export function assertPhoneRegion(region: string): CountryCode {
  if (!isSupportedCountry(region as CountryCode, metadata)) throw new Error(`Unknown phone region "${region}"`);
  return region as CountryCode;
}

function regionOf(region: string | undefined): CountryCode | undefined {
  return region === undefined ? undefined : assertPhoneRegion(region);
}

function stripSeparators(text: string): string {
  let out = '';
  let changed = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // space, NBSP/narrow NBSP/thin space, - ‐ ‑ ‒ – —, . ( )
    if (c === 32 || c === 9 || c === 0xa0 || c === 0x202f || c === 0x2009 || c === 45 || (c >= 0x2010 && c <= 0x2014) || c === 46 || c === 40 || c === 41) {
      out += text.slice(start, i);
      start = i + 1;
      changed = true;
    }
  }
  return changed ? out + text.slice(start) : text;
}

// libphonenumber-js builds its regular expressions on every call (about 4 µs a number, 20 µs for +1), which
// would cap the import well below its target. For the usual "+<digits>" shape the answer only depends on the
// calling code and the national number's length, unless a national prefix could be stripped: those numbers,
// and every number the shortcut does not accept, still go through the library. A test compares both on
// numbers for every calling code.
interface NumberingPlanView {
  possibleLengths(): number[] | undefined;
  nationalPrefixForParsing(): string | undefined;
}
interface MetadataView {
  hasCallingCode(callingCode: string): boolean;
  selectNumberingPlan(countryOrCallingCode: string): void;
  numberingPlan?: NumberingPlanView;
}
interface FastPlan {
  /** National number lengths possible in every country sharing the calling code. */
  readonly lengths: ReadonlySet<number>;
  readonly nationalPrefix: RegExp | undefined;
}

const NOT_A_CALLING_CODE = false;
const fastPlans = new Map<string, FastPlan | null | typeof NOT_A_CALLING_CODE>();
const view = new Metadata(metadata) as unknown as MetadataView;

function fastInternational(number: string): string | undefined {
  if (number.charCodeAt(1) === 48 /* 0 */) return undefined;
  for (let end = 2; end <= 4 && end < number.length; end++) {
    const callingCode = number.slice(1, end);
    const plan = fastPlanFor(callingCode);
    if (plan === NOT_A_CALLING_CODE) continue;
    if (plan === null) return undefined;
    const national = number.slice(end);
    if (!plan.lengths.has(national.length)) return undefined;
    if (plan.nationalPrefix !== undefined && plan.nationalPrefix.test(national)) return undefined;
    return number;
  }
  return undefined;
}

/** null: a calling code the shortcut leaves to the library. */
function fastPlanFor(callingCode: string): FastPlan | null | typeof NOT_A_CALLING_CODE {
  const known = fastPlans.get(callingCode);
  if (known !== undefined) return known;
  if (!view.hasCallingCode(callingCode)) {
    fastPlans.set(callingCode, NOT_A_CALLING_CODE);
    return NOT_A_CALLING_CODE;
  }
  const countries = metadata.country_calling_codes[callingCode];
  let plan: FastPlan | null = null;
  if (countries !== undefined && countries.length > 0 && !countries.includes('001' as CountryCode)) {
    view.selectNumberingPlan(callingCode);
    const main = view.numberingPlan;
    let lengths = main?.possibleLengths();
    for (const country of countries) {
      view.selectNumberingPlan(country);
      const other = view.numberingPlan?.possibleLengths();
      lengths = lengths && other ? lengths.filter((l) => other.includes(l)) : undefined;
    }
    const prefix = main?.nationalPrefixForParsing();
    if (lengths && lengths.length > 0) {
      plan = { lengths: new Set(lengths), nationalPrefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined };
    }
  }
  fastPlans.set(callingCode, plan);
  return plan;
}
