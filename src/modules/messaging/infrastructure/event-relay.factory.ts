import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { EventUpcasters } from '../../../shared/application/event-upcasters.js';
import type { AppConfig } from '../../../shared/infrastructure/config/app-config.js';
import { needsUpcast, type StoredEvent, type TopicNames } from '../domain/message-contract.js';
import type { EventPublisher, TopicSpec } from '../application/ports/event-publisher.port.js';
import { EventRelay, type EventUpcast, type RelayHooks, type RelayObserver } from '../application/relay-events/event-relay.js';
import { KafkajsEventPublisher } from './kafka/kafkajs-event-publisher.js';
import {
  KAFKA_RELAY,
  PostgresRelayLagProbe,
  PostgresRelayLeadership,
  type PostgresRelayLeadershipOptions,
} from './persistence/postgres-relay-outbox.js';
import type { RelayMetrics } from './relay-metrics.js';

export type RelaySettings = Pick<AppConfig, 'kafkaBrokers' | 'kafka'>;

export interface CreateEventRelayOptions {
  readonly dataSource: DataSource;
  readonly settings: RelaySettings;
  readonly logger?: Logger;
  readonly metrics?: RelayMetrics;
  readonly upcasters?: EventUpcasters;
  /** Replaces the kafkajs publisher (tests, another client). */
  readonly publisher?: EventPublisher;
  readonly hooks?: RelayHooks;
  readonly leadership?: PostgresRelayLeadershipOptions;
  /** First back-off after a failure (default 200 ms). */
  readonly retryMinMs?: number;
}

export interface EventRelayParts {
  readonly relay: EventRelay;
  readonly publisher: EventPublisher;
  readonly probe: PostgresRelayLagProbe;
  readonly topics: TopicNames;
}

export function topicSpecs(settings: RelaySettings): TopicSpec[] {
  const { topics, replicationFactor } = settings.kafka;
  return [
    { name: topics.users.name, partitions: topics.users.partitions, replicationFactor },
    { name: topics.imports.name, partitions: topics.imports.partitions, replicationFactor },
  ];
}

/** Stored payloads older than their type's current schema go out upcast, like every other reader sees them. */
export function upcastWith(upcasters: EventUpcasters | undefined): EventUpcast {
  if (!upcasters) return (e) => e;
  return (event: StoredEvent) => {
    if (!needsUpcast(event)) return event;
    const { schemaVersion, data } = upcasters.upcast(event.type, event.schemaVersion, JSON.parse(event.dataJson));
    return { ...event, schemaVersion, dataJson: JSON.stringify(data) };
  };
}

/** Logs what an operator needs: leadership changes, each failure with its retry, recovery. Not every batch. */
export function loggingObserver(logger: Logger | undefined, metrics: RelayMetrics | undefined): RelayObserver {
  return {
    leadershipChanged(leading) {
      metrics?.leadershipChanged(leading);
      logger?.info({ leading }, leading ? 'event relay: this instance relays events to Kafka' : 'event relay: this instance stopped relaying');
    },
    published(batch, messages, durationMs) {
      metrics?.batchPublished(batch, messages, durationMs);
      logger?.debug({ events: batch.length, durationMs }, 'event relay: batch acknowledged');
    },
    failed(stage, error, attempt, retryInMs) {
      metrics?.failed(stage);
      const err = error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };
      // The first failures of a run are warnings (Kafka restarts happen); a long outage stays visible as errors.
      const level = attempt >= 5 ? 'error' : 'warn';
      logger?.[level]({ stage, attempt, retryInMs, err }, `event relay: ${stage === 'leadership' ? 'cannot take the relay lease' : 'cannot relay'}; retrying`);
    },
    recovered(afterFailures) {
      logger?.info({ afterFailures }, 'event relay: relaying again');
    },
  };
}

/** The relay as the application runs it, from configuration: Kafka publisher, PostgreSQL lease, checkpoints and lag. */
export function createEventRelay(options: CreateEventRelayOptions): EventRelayParts {
  const { settings, dataSource } = options;
  const publisher =
    options.publisher ??
    new KafkajsEventPublisher({
      brokers: settings.kafkaBrokers,
      clientId: settings.kafka.clientId,
      maxRequestBytes: settings.kafka.relay.maxRequestBytes,
      logger: options.logger,
    });
  const topics: TopicNames = { users: settings.kafka.topics.users.name, imports: settings.kafka.topics.imports.name };
  const relay = new EventRelay(
    new PostgresRelayLeadership(dataSource, { relay: KAFKA_RELAY, ...options.leadership }),
    publisher,
    {
      topics,
      topicSpecs: topicSpecs(settings),
      batchSize: settings.kafka.relay.batchSize,
      intervalMs: settings.kafka.relay.intervalMs,
      retryMinMs: Math.min(options.retryMinMs ?? 200, settings.kafka.relay.retryMaxMs),
      retryMaxMs: settings.kafka.relay.retryMaxMs,
      leaderPollMs: settings.kafka.relay.leaderPollMs,
    },
    loggingObserver(options.logger, options.metrics),
    upcastWith(options.upcasters),
    options.hooks,
  );
  return { relay, publisher, probe: new PostgresRelayLagProbe(dataSource, options.leadership?.relay ?? KAFKA_RELAY), topics };
}

