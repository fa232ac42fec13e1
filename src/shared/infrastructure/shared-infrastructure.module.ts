import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { EventUpcasters, type Upcaster } from '../application/event-upcasters.js';
import { Clock, IdGenerator } from '../application/ports/clock.port.js';
import { EventStore } from '../application/ports/event-store.port.js';
import { UnitOfWork } from '../application/ports/unit-of-work.port.js';
import { AdminAuthGuard } from './auth/admin-auth.guard.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { BulkLoader } from './database/bulk-loader.js';
import { TypeormUnitOfWork } from './database/typeorm-unit-of-work.adapter.js';
import { TypeormEventStore } from './event-store/typeorm-event-store.adapter.js';
import { HealthHttpController, ReadinessRegistry } from './health/health.http.controller.js';
import { Metrics } from './observability/metrics.js';
import { SystemClock, UuidGenerator } from './system-clock.adapter.js';

/** What the process opened before Nest starts: configuration, the migrated database, the logger. */
export interface Runtime {
  readonly config: AppConfig;
  readonly dataSource: DataSource;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Whether the database speaks COPY FROM STDIN (a PostgreSQL server does; the embedded PGlite does not). */
  readonly bulkCopy: boolean;
}

export const PINO_LOGGER = Symbol('PINO_LOGGER');

@Global()
@Module({})
export class SharedInfrastructureModule {
  /** `upcasters`: how every module's older stored events read today (the composition root gathers them). */
  static forRoot(runtime: Runtime, upcasters: readonly Upcaster[] = []): DynamicModule {
    return {
      module: SharedInfrastructureModule,
      controllers: [HealthHttpController],
      providers: [
        { provide: APP_CONFIG, useValue: runtime.config },
        { provide: DataSource, useValue: runtime.dataSource },
        { provide: PINO_LOGGER, useValue: runtime.logger },
        { provide: Metrics, useValue: runtime.metrics },
        { provide: EventUpcasters, useValue: new EventUpcasters(upcasters) },
        { provide: UnitOfWork, useClass: TypeormUnitOfWork },
        { provide: EventStore, useClass: TypeormEventStore },
        { provide: Clock, useClass: SystemClock },
        { provide: IdGenerator, useClass: UuidGenerator },
        { provide: BulkLoader, useValue: new BulkLoader(runtime.dataSource, runtime.bulkCopy) },
        { provide: JwtVerifier, useValue: new JwtVerifier(runtime.config.auth) },
        AdminAuthGuard,
        ReadinessRegistry,
      ],
      exports: [
        APP_CONFIG,
        DataSource,
        PINO_LOGGER,
        Metrics,
        EventUpcasters,
        UnitOfWork,
        EventStore,
        Clock,
        IdGenerator,
        BulkLoader,
        JwtVerifier,
        AdminAuthGuard,
        ReadinessRegistry,
      ],
    };
  }
}
