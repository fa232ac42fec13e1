import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { PINO_LOGGER } from '../../shared/infrastructure/shared-infrastructure.module.js';
import { adminPortalDirectory, isBuilt } from './admin-portal.assets.js';

/**
 * The page only talks to its own origin and runs only its own files: no inline script or style, no third party.
 * Whatever a CSV put into a name or an error message is shown as text, and this policy backs that up.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
}

/**
 * The admin portal: the static page at /admin (Users, Import Users), built by `npm run build` and calling the
 * REST API with the admin's token. Mounted as plain middleware, so it adds no API route.
 */
@Module({})
export class AdminPortalModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    // An application context without HTTP (a one-off CLI command) has nothing to mount on.
    const adapter = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    if (!adapter) return;
    const app = adapter.getInstance<Express>();
    const directory = adminPortalDirectory();
    if (!isBuilt(directory)) {
      this.logger.warn({ directory }, 'admin portal is not built; /admin answers 503 until `npm run build` has run');
      app.use('/admin', (_req: Request, res: Response) => {
        res.status(503).type('text/plain').send('The admin portal is not built. Run "npm run build", then restart the service.\n');
      });
      return;
    }
    app.use(
      '/admin',
      securityHeaders,
      // Small files: always revalidated (ETag), so a new build is picked up on the next load.
      express.static(directory, { index: 'index.html', redirect: true, cacheControl: true, maxAge: 0, dotfiles: 'ignore' }),
    );
  }
}
