import { withoutInvisibleCharacters } from '../../../shared/domain/invisible-characters.js';
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

// Keys are headings after headingKey(): lower case, without spaces, underscores or hyphens, so "First Name",
// "first_name" and "firstname" are one heading, and so are "e-mail" and "email".
const ALIASES: ReadonlyMap<string, UserField> = new Map<string, UserField>([
  ['email/login', 'email'],
  ['email', 'email'],
  ['login', 'email'],
  ['emailaddress', 'email'],
  // HR exports: "Work Email", "Work E-mail", "Work Email Address".
  ['workemail', 'email'],
  ['workemailaddress', 'email'],
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
]);

// An explicit heading that wins over a vaguer one for the same field, which is then ignored with a warning:
// Outlook's contact export has "Title" (Mr., Ms.) next to "Job Title".
const OUTRANKS: ReadonlyMap<string, { readonly key: string; readonly holds: string }> = new Map([
  ['jobtitle', { key: 'title', holds: 'the job title' }],
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
  return cleanHeading(raw).toLowerCase().replace(KEY_NOISE, '');
}

/**
 * Works out which column feeds which user field. Column order comes from the header only; unknown columns
 * are ignored with a warning, and so is a heading an explicit one outranks; a missing e-mail column or a field
 * given twice otherwise refuses the file.
 */
export function mapHeaders(headers: readonly string[]): HeaderMappingResult {
  const columns: MappedColumn[] = [];
  const keys: string[] = [];
  const indexOf: Partial<Record<UserField, number>> = {};
  const warnings: string[] = [];
  for (let i = 0; i < headers.length; i++) {
    const heading = cleanHeading(headers[i]);
    const key = headingKey(heading);
    const field = ALIASES.get(key) ?? null;
    columns.push({ heading, field });
    keys.push(key);
    if (field === null) {
      warnings.push(heading === '' ? `Column ${i + 1} has no heading and was ignored` : `Unknown column "${heading}" was ignored`);
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
        `Columns found: ${found}${columns.length > 10 ? ', …' : ''}.`,
    };
  }
  return { ok: true, mapping: { columns, indexOf }, warnings };
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
