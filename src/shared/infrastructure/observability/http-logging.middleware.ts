import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Metrics } from './metrics.js';

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** Request id (reused from X-Request-Id when sane), JSON access log, and the request duration metric. */
export function httpObservability(logger: Logger, metrics: Metrics) {
  const log = pinoHttp({
    logger,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
    serializers: { req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }) },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpRequests.startTimer({ method: req.method });
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      end({ route: route ? `${req.baseUrl}${route}` : 'unmatched', status: String(res.statusCode) });
    });
    log(req, res, next);
  };
}
