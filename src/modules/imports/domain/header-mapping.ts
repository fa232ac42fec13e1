import { withoutInvisibleCharacters } from '../../../shared/domain/invisible-characters.js';
import { EmailAddress } from '../../users/domain/email-address.js';
import { USER_FIELD_LABELS, type UserField } from './user-field.js';

/** One column of the file: its heading as the admin wrote it, and the field it feeds (null: ignored). */
export interface MappedColumn {
  readonly heading: string;
  readonly field: UserField | null;
}

export interface HeaderMapping {
  /** Every column in file order; a record must have exactly this many fields. */
  readonly columns: readonly MappedColumn[];
  /** Column index of each field the file has. */
  readonly indexOf: Readonly<Partial<Record<UserField, number>>>;
}

export type HeaderMappingResult =
  | { readonly ok: true; readonly mapping: HeaderMapping; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly code: 'missing-email-column' | 'duplicate-column'; readonly error: string };

// Keys are headings after headingKey(): lower case, without spaces, underscores or hyphens or a bracketed note at
// the end, so "First Name", "first_name", "firstname" and Google Workspace's "First Name [Required]" are one
// heading, and so are "e-mail" and "email".
//
// Microsoft Entra ID's "Download users" has both "userPrincipalName" and "mail". Only "mail" is read: it is the
// user's address, while the principal name is a sign-in name shaped like one that reaches no mailbox for guests
// (ann_example.com#EXT#@contoso.onmicrosoft.com) and may differ from the address for members, so it is never taken
// as the e-mail unasked; a file with only it is refused, naming it as the column to rename (see
// whereTheAddressesAre). Its "accountEnabled" (True/False) means what Enabled means: a disabled directory account
// is not created, and is deactivated in update mode.
const ALIASES: ReadonlyMap<string, UserField> = new Map<string, UserField>([
  ['email/login', 'email'],
  ['email', 'email'],
  ['login', 'email'],
  ['emailaddress', 'email'],
  // HR exports: "Work Email", "Work E-mail", "Work Email Address".
  ['workemail', 'email'],
  ['workemailaddress', 'email'],
  ['mail', 'email'],
  ['name', 'name'],
  ['displayname', 'name'],
  ['fullname', 'name'],
  ['firstname', 'firstName'],
  ['givenname', 'firstName'],
  ['lastname', 'lastName'],
  ['surname', 'lastName'],
  ['familyname', 'lastName'],
  ['title', 'title'],
  ['jobtitle', 'title'],
  ['employeetitle', 'title'],
  ['mobile', 'mobile'],
  // What directory and contact exports call it (Outlook: "Mobile Phone").
  ['mobilephone', 'mobile'],
  ['mobilenumber', 'mobile'],
  ['cellphone', 'mobile'],
  ['mobilephonenumber', 'mobile'],
  ['manager', 'manager'],
  // HR exports name the column by what it holds.
  ['manageremail', 'manager'],
  ['manageremailaddress', 'manager'],
  ['enabled', 'enabled'],
  ['active', 'enabled'],
  ['accountenabled', 'enabled'],
]);

// Google Workspace's "Download users" tells a suspended account (someone who left, or is barred) in "Status [READ
// ONLY]", Active or Suspended: read as Enabled, so that such a person is never created and is deactivated in update
// mode. Only with its note: a bare "Status" (HR exports: Terminated, On leave…) stays an unknown column.
const ACCOUNT_STATUS_HEADING = 'status [read only]';

/** Whether the Enabled column is Google Workspace's account status, whose values are Active and Suspended. */
export function isAccountStatus(heading: string): boolean {
  return heading.toLowerCase().replace(/\s+/g, ' ') === ACCOUNT_STATUS_HEADING;
}

// An explicit heading that wins over a vaguer one for the same field, which is then ignored with a warning:
// Outlook's contact export has "Title" (Mr., Ms.) next to "Job Title"; Okta's user CSV has "login", its sign-in
// name (an address, a user name or an id, as the org chose), next to "email", the address.
const OUTRANKS: ReadonlyMap<string, { readonly key: string; readonly holds: string }> = new Map([
  ['jobtitle', { key: 'title', holds: 'the job title' }],
  ['email', { key: 'login', holds: 'the e-mail address' }],
  ['enabled', { key: 'status', holds: 'the Enabled flag' }],
]);

// Spreadsheets and the guide's own sample leave BOMs and straight or typographic quotes around headings, and
// copying from a web page zero-width characters anywhere in them.
const EDGE_NOISE = /^[\s\uFEFF"'“”„‟″‶]+|[\s\uFEFF"'“”„‟″‶]+$/g;
const KEY_NOISE = /[\s_-]+/g;

/** The heading as shown back to the admin: trimmed of blanks, BOMs and quotes, without invisible characters. */
export function cleanHeading(raw: string): string {
  return withoutInvisibleCharacters(raw).replace(EDGE_NOISE, '');
}

export function headingKey(raw: string): string {
  return withoutNotes(cleanHeading(raw)).toLowerCase().replace(KEY_NOISE, '');
}

/**
 * The heading without the bracketed notes at its end, as Google Workspace writes them: "Email Address [Required]",
 * "Status [READ ONLY]". A scan rather than a regular expression, which would backtrack over a line of "[".
 */
function withoutNotes(heading: string): string {
  let end = heading.length;
  while (end > 0 && heading[end - 1] === ']') {
    const open = heading.lastIndexOf('[', end - 1);
    if (open < 0) break;
    end = open;
    while (end > 0 && /\s/.test(heading[end - 1])) end--;
  }
  return heading.slice(0, end);
}

/**
 * Works out which column feeds which user field. Column order comes from the header only; unknown columns
 * are ignored with a warning, and so is a heading an explicit one outranks; a missing e-mail column or a field
 * given twice otherwise refuses the file. `firstRecords`, the lines after the headings when they are at hand, let
 * the refusal of a file without an e-mail heading name the column that holds the addresses.
 */
export function mapHeaders(headers: readonly string[], firstRecords: readonly { readonly fields: readonly string[] }[] = []): HeaderMappingResult {
  const columns: MappedColumn[] = [];
  const keys: string[] = [];
  const indexOf: Partial<Record<UserField, number>> = {};
  const warnings: string[] = [];
  // Directory exports have dozens of columns that are no user field: one warning names them all, where one each
  // would crowd out the lines' warnings (the admin's e-mail shows the first 20).
  const unknown: string[] = [];
  let unknownWarningAt = -1;
  // Spreadsheets pad the heading line with empty cells as far as their formatting goes: one warning for all of them.
  const unnamed: string[] = [];
  let unnamedWarningAt = -1;
  for (let i = 0; i < headers.length; i++) {
    const heading = cleanHeading(headers[i]);
    const key = headingKey(heading);
    const field = ALIASES.get(key) ?? (isAccountStatus(heading) ? 'enabled' : null);
    columns.push({ heading, field });
    keys.push(key);
    if (field === null) {
      if (heading === '') {
        if (unnamed.length === 0) unnamedWarningAt = warnings.push('') - 1;
        unnamed.push(String(i + 1));
      } else {
        if (unknown.length === 0) unknownWarningAt = warnings.push('') - 1;
        unknown.push(`"${heading}"`);
      }
      continue;
    }
    const previous = indexOf[field];
    if (previous !== undefined) {
      const outranked = outranking(keys, previous, i) ?? outranking(keys, i, previous);
      if (outranked !== undefined) {
        const { winner, loser, holds } = outranked;
        columns[loser] = { heading: columns[loser].heading, field: null };
        warnings.push(`Column "${columns[loser].heading}" was ignored: "${columns[winner].heading}" holds ${holds}`);
        indexOf[field] = winner;
        continue;
      }
      return {
        ok: false,
        code: 'duplicate-column',
        error: `Columns "${columns[previous].heading}" and "${heading}" both hold ${USER_FIELD_LABELS[field]}; keep only one of them.`,
      };
    }
    indexOf[field] = i;
  }
  if (indexOf.email === undefined) {
    const found = columns.slice(0, 10).map((c) => `"${c.heading}"`).join(', ');
    return {
      ok: false,
      code: 'missing-email-column',
      error:
        `The file has no e-mail column: one heading must be "email/login" (or "email", "login", "e-mail"). ` +
        `Columns found: ${found}${columns.length > 10 ? ', …' : ''}.${whereTheAddressesAre(columns, firstRecords)}`,
    };
  }
  if (unknown.length > 0) {
    warnings[unknownWarningAt] = unknown.length === 1 ? `Unknown column ${unknown[0]} was ignored` : `Unknown columns ${listed(unknown)} were ignored`;
  }
  if (unnamed.length > 0) {
    warnings[unnamedWarningAt] =
      unnamed.length === 1 ? `Column ${unnamed[0]} has no heading and was ignored` : `Columns ${listed(unnamed)} have no heading and were ignored`;
  }
  return { ok: true, mapping: { columns, indexOf }, warnings };
}

/** How many of the lines after the headings are looked at for e-mail addresses under another heading. */
const LINES_LOOKED_AT = 10;

const isEmailAddress = (text: string): boolean => EmailAddress.parse(text).ok;

/**
 * For a file with no e-mail heading: the sentence that says which column holds the addresses (every value of the
 * first lines is one), or that the first line is a user rather than headings; else ''. The column is named, never
 * taken: which address is a user's identity is for the admin to say.
 */
function whereTheAddressesAre(columns: readonly MappedColumn[], records: readonly { readonly fields: readonly string[] }[]): string {
  const userLike = columns.find((c) => isEmailAddress(c.heading));
  if (userLike !== undefined) {
    return ` The first line looks like a user ("${userLike.heading}" is an e-mail address), not headings: add a line of headings above it.`;
  }
  const sample = records.slice(0, LINES_LOOKED_AT).filter((r) => r.fields.length === columns.length);
  const holding = columns.flatMap((column, i) => {
    if (column.field !== null) return [];
    const values = sample.map((r) => r.fields[i].trim()).filter((v) => v !== '');
    return values.length > 0 && values.every(isEmailAddress) ? [column.heading === '' ? `${i + 1} (no heading)` : `"${column.heading}"`] : [];
  });
  if (holding.length === 0) return '';
  if (holding.length === 1) return ` Column ${holding[0]} holds e-mail addresses: if they are the users' addresses, rename its heading to "email/login".`;
  return ` Columns ${listed(holding)} hold e-mail addresses: rename the heading of the one with the users' addresses to "email/login".`;
}

/**
 * Columns named in one warning, enough for the directory exports seen (Google Workspace's has 30 that are no user
 * field): a file with thousands of them gets their count beyond this, not pages of names.
 */
const MAX_LISTED = 50;

/** "a", "a and b", "a, b and c"; past MAX_LISTED, "a, b, … and 7 more". */
function listed(items: readonly string[]): string {
  if (items.length > MAX_LISTED) return `${items.slice(0, MAX_LISTED).join(', ')} and ${(items.length - MAX_LISTED).toLocaleString('en-US')} more`;
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Which column wins and what it holds when column `winner`'s heading outranks column `loser`'s; else undefined. */
function outranking(keys: readonly string[], loser: number, winner: number): { winner: number; loser: number; holds: string } | undefined {
  const rule = OUTRANKS.get(keys[winner]);
  return rule?.key === keys[loser] ? { winner, loser, holds: rule.holds } : undefined;
}

/** How many lines after the first are looked at for headings that a title line above them pushed down. */
const HEADINGS_LOOKED_FOR = 10;

/**
 * Where the headings are when the first line has no e-mail heading: the line number of the first of the next few
 * records that maps, or undefined. Reports and spreadsheets often put a title line (or a few) above the table.
 */
export function headingsFurtherDown(records: readonly { readonly line: number; readonly fields: readonly string[] }[]): number | undefined {
  return records.slice(0, HEADINGS_LOOKED_FOR).find((r) => mapHeaders(r.fields).ok)?.line;
}
