import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import { type AppConfig } from './shared/infrastructure/config/app-config.js';
import { createDataSource, runMigrations } from './shared/infrastructure/database/data-source.factory.js';
import { startEmbeddedPostgres } from './shared/infrastructure/database/embedded-postgres.js';
import { mountApiDocs } from './shared/infrastructure/http/api-docs.js';
import { ProblemDetailsFilter } from './shared/infrastructure/http/problem-details.filter.js';
import { answerUnparsableRequests } from './shared/infrastructure/http/unparsable-requests.js';
import { httpObservability } from './shared/infrastructure/observability/http-logging.middleware.js';
import { createLogger, PinoNestLogger } from './shared/infrastructure/observability/logger.js';
import { Metrics } from './shared/infrastructure/observability/metrics.js';
import type { Runtime } from './shared/infrastructure/shared-infrastructure.module.js';

export interface OpenRuntime extends Runtime {
  /** Where the database is: the DATABASE_URL server, or the embedded PGlite under DATA_DIR. */
  readonly databaseDescription: string;
  close(): Promise<void>;
}

/** Opens the database (embedded when DATABASE_URL is unset) and brings its schema up to date. */
export async function openRuntime(config: AppConfig, logger: Logger = createLogger(config.logLevel)): Promise<OpenRuntime> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
  const url = config.databaseUrl ?? embedded!.url;
  // PGlite runs one query at a time; a small pool avoids queuing idle connections against it.
  const dataSource: DataSource = createDataSource(url, embedded ? 4 : config.dbPoolSize);
  await dataSource.initialize();
  const applied = await runMigrations(dataSource);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  return {
    config,
    dataSource,
    logger,
    metrics: new Metrics(),
    bulkCopy: embedded === undefined,
    databaseDescription: embedded ? `embedded PostgreSQL (PGlite) in ${config.dataDir}/pgdata` : 'PostgreSQL at DATABASE_URL',
    async close() {
      await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

/** The HTTP application on an open runtime: same wiring for `serve`, the API tests and the e2e tests. */
export async function createHttpApp(runtime: Runtime): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(runtime), {
    logger: new PinoNestLogger(runtime.logger),
    bodyParser: false,
  });
  const express = app.getHttpAdapter().getInstance();
  express.disable('x-powered-by');
  express.set('trust proxy', 'loopback');
  app.use(httpObservability(runtime.logger, runtime.metrics));
  // A company's directory, reports and refusals: nothing a browser on a shared computer or a proxy may keep.
  app.use('/api/v1', (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  mountApiDocs(express);
  app.useGlobalFilters(new ProblemDetailsFilter());
  answerUnparsableRequests(app.getHttpServer());
  // No enableShutdownHooks: the serve command closes the app on SIGTERM and SIGINT itself, and exits 0; Nest's own
  // listener would close it a second time and end the process with the signal again (exit 143).
  return app;
}
