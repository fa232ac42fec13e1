import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import { ValidationError } from '../../application/application-errors.js';
import { ProblemError } from './problem-details.filter.js';

// Requests whose JSON body arrived empty: the parser gives them `{}`, which a PATCH would take as "change nothing".
const emptyBodies = new WeakSet<IncomingMessage>();

/** The JSON body parser's options: the media types read as JSON, and a note of bodies that arrived empty. */
export const JSON_BODY_PARSER_OPTIONS = {
  limit: '1mb',
  type: ['application/json', 'application/merge-patch+json', 'application/*+json'],
  verify: (req: IncomingMessage, _res: ServerResponse, body: Buffer) => {
    if (body.length === 0) emptyBodies.add(req);
  },
};

/**
 * The request's JSON body. Only JSON media types are parsed, so a body sent as text/plain or as a form (curl -d
 * without -H) would otherwise reach the handler as nothing at all: a PATCH then "succeeded" changing nothing.
 */
export function jsonBody(req: Request, what: string): unknown {
  const noBody = `The request has no body; send ${what} as a JSON object, with "Content-Type: application/json".`;
  if (emptyBodies.has(req)) throw new ValidationError(noBody);
  if (req.body !== undefined) return req.body;
  // null: no body (Content-Length: 0 is none either); false: a body without a Content-Type; else its media type.
  const type = req.headers['content-length'] === '0' ? null : req.is('*/*');
  if (type !== null) {
    const sent = type === false ? 'without a Content-Type' : `as ${type}`;
    throw new ProblemError(415, `The request body was sent ${sent}; send ${what} as JSON, with "Content-Type: application/json".`);
  }
  throw new ValidationError(noBody);
}
