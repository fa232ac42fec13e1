import type { Request } from 'express';
import { ValidationError } from '../../application/application-errors.js';
import { ProblemError } from './problem-details.filter.js';

/**
 * The request's JSON body. Only JSON media types are parsed, so a body sent as text/plain or as a form (curl -d
 * without -H) would otherwise reach the handler as nothing at all: a PATCH then "succeeded" changing nothing.
 */
export function jsonBody(req: Request, what: string): unknown {
  if (req.body !== undefined) return req.body;
  // null: no body (Content-Length: 0 is none either); false: a body without a Content-Type; else its media type.
  const type = req.headers['content-length'] === '0' ? null : req.is('*/*');
  if (type !== null) {
    const sent = type === false ? 'without a Content-Type' : `as ${type}`;
    throw new ProblemError(415, `The request body was sent ${sent}; send ${what} as JSON, with "Content-Type: application/json".`);
  }
  throw new ValidationError(`The request has no body; send ${what} as a JSON object, with "Content-Type: application/json".`);
}
