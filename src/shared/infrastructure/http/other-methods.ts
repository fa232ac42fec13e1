import type { Request, Response } from 'express';
import { ProblemError } from './problem-details.filter.js';

/**
 * What a path answers to a method it does not serve (RFC 9110): 405 naming the methods it does in `Allow`, and to
 * OPTIONS 204 with the same header, instead of the 404 that says the path itself does not exist.
 */
export function answerOtherMethod(req: Request, res: Response, allow: string): void {
  res.setHeader('Allow', allow);
  if (req.method === 'OPTIONS') {
    res.status(204).end();
    return;
  }
  throw new ProblemError(405, `${req.method} is not served at this address; it answers ${allow}.`);
}
