import type { z } from 'zod';
import { ValidationError } from '../../application/application-errors.js';

/** PostgreSQL cannot store U+0000 in text or jsonb; such input must be a 400 here, not a 500 at the database. */
function findNulCharacter(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNulCharacter(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      const found = findNulCharacter(v, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** Validates input from outside at the edge; the first problem becomes a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.infer<S> {
  const nul = findNulCharacter(input);
  if (nul) {
    const field = nul.join('.');
    throw new ValidationError(`${field || `The request ${where}`}: must not contain the NUL character (\\u0000)`, field || undefined);
  }
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // An unknown property is reported on its parent; name the property itself.
  const path = issue.code === 'unrecognized_keys' && issue.keys.length > 0 ? [...issue.path, issue.keys[0]] : issue.path;
  const field = path.join('.');
  throw new ValidationError(field ? `${field}: ${issue.message}` : `The request ${where} is invalid: ${issue.message}`, field || undefined);
}
