import type { z } from 'zod';
import { ValidationError } from '../../application/application-errors.js';

/** Validates input from outside at the edge; the first problem becomes a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.join('.');
  throw new ValidationError(field ? `${field}: ${issue.message}` : `The request ${where} is invalid: ${issue.message}`, field || undefined);
}
