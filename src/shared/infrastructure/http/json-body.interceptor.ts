import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import express, { type Request, type Response } from 'express';
import type { Observable } from 'rxjs';
import { JSON_BODY_PARSER_OPTIONS } from './json-body.js';

const parseJson = express.json(JSON_BODY_PARSER_OPTIONS);

/**
 * Reads a JSON body once the route's guards have let the request through: an anonymous caller, or one from another
 * network, gets its 401 or 403 before anything of the body is read, inflated or parsed (the parser ran ahead of
 * them, and answered such callers 400 or 413). Only the API controllers use it: no other route reads a body.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    await new Promise<void>((resolve, reject) => parseJson(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
    return next.handle();
  }
}
