import { z } from 'zod';
import { ValidationError } from '../../application/application-errors.js';
import { storableText } from '../database/storable-text.js';

const KINDS: Readonly<Record<string, string>> = { string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'an object', array: 'an array' };

// zod's own wording ("Invalid input: expected string, received undefined", "Too big: expected string to have <=200
// characters") where a schema gives none: what a person reads in a 400 says what is expected.
z.config({
  customError: (issue) => {
    switch (issue.code) {
      case 'invalid_type': {
        const expected = KINDS[issue.expected] ?? issue.expected;
        if (issue.input === undefined) return 'is required';
        return issue.input === null ? `must be ${expected}, not null` : `must be ${expected}`;
      }
      case 'too_big':
        if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
        return issue.inclusive === false ? `must be less than ${String(issue.maximum)}` : `must be at most ${String(issue.maximum)}`;
      case 'too_small':
        if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${String(issue.minimum)} characters`;
        // .positive() is "more than 0": "at least 0" would invite the 0 it refuses.
        return issue.inclusive === false ? `must be more than ${String(issue.minimum)}` : `must be at least ${String(issue.minimum)}`;
      default:
        return undefined;
    }
  },
});

interface Visit {
  readonly value: unknown;
  readonly key: string | undefined;
  readonly parent: Visit | undefined;
}

/**
 * PostgreSQL cannot store U+0000, nor half of a UTF-16 surrogate pair (JSON's "\ud83d" alone), in text or json; such
 * input must be a 400 here, not a 500 at the database. Walked with a stack of its own, not by recursion: a 1 MB body
 * of nested arrays is 500,000 levels deep, past the call stack.
 */
function findUnstorableText(input: unknown): { path: string[]; nul: boolean } | undefined {
  const pending: Visit[] = [{ value: input, key: undefined, parent: undefined }];
  for (let visit = pending.pop(); visit !== undefined; visit = pending.pop()) {
    const { value } = visit;
    if (typeof value === 'string') {
      if (storableText(value) !== value) return { path: pathOf(visit), nul: value.includes('\u0000') };
    } else if (typeof value === 'object' && value !== null) {
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) pending.push({ value: entries[i][1], key: entries[i][0], parent: visit });
    }
  }
  return undefined;
}

function pathOf(visit: Visit): string[] {
  const path: string[] = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.unshift(at.key);
  return path;
}

/** Validates input from outside at the edge; the first problem becomes a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.infer<S> {
  const unstorable = findUnstorableText(input);
  if (unstorable) {
    const field = unstorable.path.join('.');
    const problem = unstorable.nul
      ? 'must not contain the NUL character (\\u0000)'
      : 'must not contain half of a UTF-16 surrogate pair (an emoji or other character cut in two)';
    throw new ValidationError(`${field || `The request ${where}`}: ${problem}`, field || undefined);
  }
  // A query string or form repeats a name as an array (?limit=1&limit=2): say so rather than "must be a string".
  if ((where === 'query' || where === 'form') && typeof input === 'object' && input !== null) {
    const repeated = Object.entries(input).find(([, value]) => Array.isArray(value));
    if (repeated) throw new ValidationError(`${repeated[0]}: is given ${(repeated[1] as unknown[]).length} times; give it once`, repeated[0]);
  }
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // An unknown property is reported on its parent; name the property itself.
  const path = issue.code === 'unrecognized_keys' && issue.keys.length > 0 ? [...issue.path, issue.keys[0]] : issue.path;
  const field = path.join('.');
  const message = issue.code === 'unrecognized_keys' ? `is not a field of this request${knownFields(schema, issue.path, where)}` : issue.message;
  throw new ValidationError(field ? `${field}: ${message}` : `The request ${where} is invalid: ${message}`, field || undefined);
}

/** ", which has: a, b, c" for an object schema at the top level, so the admin sees the spelling expected. */
function knownFields(schema: z.ZodType, path: readonly PropertyKey[], where: string): string {
  if (path.length > 0 || !(schema instanceof z.ZodObject)) return '';
  const fields = Object.keys(schema.shape);
  if (fields.length === 0) return `, which takes no ${where === 'query' ? 'query parameters' : 'fields'}`;
  return `, which has: ${fields.join(', ')}`;
}

const NO_PARAMETERS = z.strictObject({});

/**
 * The query of a route that takes none: a parameter sent all the same is a 400 naming it, as on the list routes,
 * never ignored (a ?dryRun=true meant for an upload's form would otherwise import for real).
 */
export function refuseQuery(query: unknown): void {
  parseInput(NO_PARAMETERS, query, 'query');
}

/** A page size from the query string: a whole number from 1 to `max`, said so in words when it is not. */
export function pageLimit(max: number, fallback: number) {
  const error = `must be a whole number from 1 to ${max}`;
  // Digits only: Number() would also take "1e2", "0x10" and " 20" for whole numbers.
  return z
    .string({ error })
    .regex(/^[0-9]+$/, { error })
    .transform(Number)
    .pipe(z.number().int({ error }).min(1, { error }).max(max, { error }))
    .default(fallback);
}
