import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { EventUpcasters } from '../../../shared/application/event-upcasters.js';
import { APP_CONFIG, type AppConfig } from '../../../shared/infrastructure/config/app-config.js';
import { ReadinessRegistry } from '../../../shared/infrastructure/health/health.http.controller.js';
import { Metrics } from '../../../shared/infrastructure/observability/metrics.js';
import { PINO_LOGGER } from '../../../shared/infrastructure/shared-infrastructure.module.js';
import type { EventPublisher } from '../application/ports/event-publisher.port.js';
import type { EventRelay } from '../application/relay-events/event-relay.js';
import { createEventRelay } from './event-relay.factory.js';
import { PostgresRelayLagProbe } from './persistence/postgres-relay-outbox.js';
import { CachedLag, RelayMetrics } from './relay-metrics.js';

/** How long shutdown waits for a round in progress before it cuts the Kafka connection under it. */
const STOP_GRACE_MS = 5_000;

/**
 * Runs the event relay in the background of every instance that has KAFKA_BROKERS (exactly one of them relays at a
 * time; the others wait for the lease). Start-up never waits for Kafka: commands work while it is down, their events
 * wait in PostgreSQL. Reports on /health/ready (lag in events and seconds, always ok: a lagging relay does not make
 * the API unable to serve) and on /metrics.
 */
@Injectable()
export class EventRelayService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly enabled: boolean;
  readonly relay: EventRelay | undefined;
  readonly publisher: EventPublisher | undefined;
  private readonly lag: CachedLag;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    dataSource: DataSource,
    metrics: Metrics,
    readiness: ReadinessRegistry,
    upcasters: EventUpcasters,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {
    this.enabled = config.kafkaBrokers.length > 0 && config.kafka.relay.enabled;
    this.lag = new CachedLag(new PostgresRelayLagProbe(dataSource));
    const relayMetrics = new RelayMetrics(metrics.registry, this.lag);
    if (this.enabled) {
      const parts = createEventRelay({
        dataSource,
        settings: config,
        logger: logger.child({ component: 'event-relay' }),
        metrics: relayMetrics,
        upcasters,
      });
      this.relay = parts.relay;
      this.publisher = parts.publisher;
    }
    readiness.register({ name: 'eventRelay', check: () => this.check() });
  }

  onApplicationBootstrap(): void {
    if (!this.relay) {
      this.logger.info('event relay off: KAFKA_BROKERS is not set (events wait in PostgreSQL)');
      return;
    }
    this.relay.start();
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.relay) return;
    const stopped = this.relay.stop();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace over'>((resolve) => (timer = setTimeout(() => resolve('grace over'), STOP_GRACE_MS)));
    const first = await Promise.race([stopped, graceOver]);
    clearTimeout(timer);
    // Closing the client fails a send still waiting on Kafka; its batch was not checkpointed, so it goes again later.
    await this.publisher?.close();
    if (first === 'grace over') await stopped;
  }

  /** The relay's entry on /health/ready: always ok (lag is reported, never fatal). */
  private async check(): Promise<{ ok: boolean; [detail: string]: unknown }> {
    const status = this.relay?.status();
    const lag = await this.lag.get().then(
      (l) => ({ lagEvents: l.events, lagSeconds: Math.round(l.seconds * 1000) / 1000 }),
      (error: Error) => ({ lagError: error.message }),
    );
    return {
      ok: true,
      enabled: this.enabled,
      ...(status
        ? {
            leading: status.leading,
            consecutiveFailures: status.consecutiveFailures,
            ...(status.lastError ? { lastError: status.lastError, lastErrorAt: status.lastErrorAt?.toISOString() } : {}),
            ...(status.lastPublishedAt ? { lastPublishedAt: status.lastPublishedAt.toISOString() } : {}),
          }
        : {}),
      ...lag,
    };
  }
}
