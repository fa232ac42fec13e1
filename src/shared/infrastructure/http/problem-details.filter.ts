import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ConcurrencyConflictError,
  NotFoundError,
  PreconditionFailedError,
  UniqueEmailViolationError,
  ValidationError,
} from '../../application/application-errors.js';
import { DomainError } from '../../domain/domain-error.js';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  field?: string;
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  428: 'Precondition required',
  431: 'Headers too large',
  500: 'Internal error',
  503: 'Unavailable',
};

/** An error that already knows its HTTP answer (used by edges such as the import upload). */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function slug(status: number): string {
  return (TITLES[status] ?? 'error').toLowerCase().replace(/[^a-z]+/g, '-');
}

export function problem(status: number, detail: string, extensions: Record<string, unknown> = {}): ProblemDetails {
  return { type: `https://office-chat.example/problems/${slug(status)}`, title: TITLES[status] ?? 'Error', status, detail, ...extensions };
}

function domainStatus(error: DomainError): number {
  switch (error.code) {
    case 'not-found':
      return 404;
    case 'already-exists':
      return 409;
    case 'invalid-state':
      return 409;
    case 'invalid-value':
      return 400;
  }
}

/** Every error leaves as application/problem+json (RFC 9457) with a sentence a person can act on. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const body = this.toProblem(error);
    body.instance = request.originalUrl;
    if (body.status >= 500) this.logger.error({ err: error, url: request.originalUrl }, 'request failed');
    if (response.headersSent) return;
    response.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }

  private toProblem(error: unknown): ProblemDetails {
    if (error instanceof ProblemError) return problem(error.status, error.message, error.extensions);
    if (error instanceof ValidationError) return problem(400, error.message, error.field ? { field: error.field } : {});
    if (error instanceof DomainError) return problem(domainStatus(error), error.message, error.field ? { field: error.field } : {});
    if (error instanceof NotFoundError) return problem(404, error.message);
    if (error instanceof ConcurrencyConflictError) return problem(409, error.message);
    if (error instanceof UniqueEmailViolationError) return problem(409, error.message, { field: 'email' });
    if (error instanceof PreconditionFailedError) return problem(412, error.message);
    // Body-parser failures (malformed JSON, too large) reach us as HttpExceptions whose cause is the parser's error.
    const parserError = (error instanceof HttpException ? error.cause : error) as { type?: string; code?: string; charset?: string; body?: string } | undefined;
    if (parserError?.type === 'entity.parse.failed') return problem(400, jsonParseFailure(parserError.body));
    if (parserError?.type === 'entity.too.large') return problem(413, 'The request body is too large.');
    if (parserError?.type === 'charset.unsupported') {
      return problem(415, `The request body is in the charset "${parserError.charset ?? 'unknown'}"; send JSON in UTF-8 (Content-Type: application/json; charset=utf-8).`);
    }
    if (parserError?.type === 'encoding.unsupported') {
      return problem(415, 'The request body has a Content-Encoding this API does not read; send it uncompressed, or as gzip, deflate or br.');
    }
    // zlib's own words ("incorrect header check") say nothing to the person who sent it.
    if (parserError?.code?.startsWith('Z_')) return problem(400, 'The request body could not be decompressed: it is not what its Content-Encoding says.');
    if (parserError?.type === 'request.size.invalid') return problem(400, 'The request body is not as long as its Content-Length says.');
    // The router cannot decode a path segment such as "%ff"; its own words are "Failed to decode param '%ff'".
    if (parserError instanceof URIError) {
      const segment = /'(.*)'/.exec(parserError.message)?.[1];
      return problem(400, `The address has a %-escape that is not UTF-8${segment ? ` ("${segment}")` : ''}: percent-encode the text of the path as UTF-8, as encodeURIComponent does.`);
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const res = error.getResponse();
      const message = typeof res === 'string' ? res : ((res as { message?: string | string[] }).message ?? error.message);
      const detail = Array.isArray(message) ? message.join('; ') : message;
      return problem(status, status === HttpStatus.NOT_FOUND && detail.startsWith('Cannot ') ? `No such route: ${detail.slice(7)}.` : detail);
    }
    return problem(500, 'Something went wrong on our side; it has been logged. Try again, and tell us if it keeps happening.');
  }
}

/**
 * The parser takes only an object or an array at the top: `null`, `"x"` or `1` are JSON all the same, and are told
 * so rather than that the body is not JSON.
 */
function jsonParseFailure(body: string | undefined): string {
  const notJson = 'The request body is not valid JSON.';
  if (body === undefined) return notJson;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return notJson;
  }
  return `The request body must be a JSON object, not ${value === null ? 'null' : `a ${typeof value}`}.`;
}
