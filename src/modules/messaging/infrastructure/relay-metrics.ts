import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { OutboundMessage, StoredEvent } from '../domain/message-contract.js';
import type { RelayStage } from '../application/relay-events/event-relay.js';
import type { RelayLag, RelayLagProbe } from '../application/ports/relay-outbox.port.js';

/** Asked once per scrape for both lag gauges (and the readiness check), not once per gauge. */
export class CachedLag {
  private cached: { at: number; value: Promise<RelayLag> } | undefined;

  constructor(
    private readonly probe: RelayLagProbe,
    private readonly maxAgeMs = 1_000,
  ) {}

  get(): Promise<RelayLag> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.maxAgeMs) {
      const value = this.probe.lag();
      this.cached = { at: now, value };
      value.catch(() => (this.cached = undefined));
    }
    return this.cached.value;
  }
}

/**
 * The relay's Prometheus metrics on the process registry:
 * event_relay_published_events_total{topic}, event_relay_lag_events, event_relay_lag_seconds, event_relay_leader,
 * event_relay_failures_total{stage}, event_relay_batch_duration_seconds.
 */
export class RelayMetrics {
  readonly published: Counter<'topic'>;
  readonly failures: Counter<'stage'>;
  readonly leader: Gauge;
  readonly batchDuration: Histogram;

  constructor(registry: Registry, lag: CachedLag) {
    this.published = new Counter({
      name: 'event_relay_published_events_total',
      help: 'Events the relay published to Kafka and the broker acknowledged, by topic (at least once: a resent batch counts again)',
      labelNames: ['topic'] as const,
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'event_relay_failures_total',
      help: 'Failed relay attempts (Kafka or the database unavailable), by stage; each is retried with back-off',
      labelNames: ['stage'] as const,
      registers: [registry],
    });
    this.leader = new Gauge({
      name: 'event_relay_leader',
      help: '1 when this instance holds the relay lease and relays, else 0',
      registers: [registry],
    });
    this.batchDuration = new Histogram({
      name: 'event_relay_batch_duration_seconds',
      help: 'Time from a batch read to its acknowledgement by Kafka',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    new Gauge({
      name: 'event_relay_lag_events',
      help: 'Committed events not yet acknowledged by Kafka',
      registers: [registry],
      async collect() {
        const value = await lag.get().catch(() => undefined);
        if (value) this.set(value.events);
      },
    });
    new Gauge({
      name: 'event_relay_lag_seconds',
      help: 'Age of the oldest committed event not yet acknowledged by Kafka (0 when none waits)',
      registers: [registry],
      async collect() {
        const value = await lag.get().catch(() => undefined);
        if (value) this.set(value.seconds);
      },
    });
    this.leader.set(0);
  }

  leadershipChanged(leading: boolean): void {
    this.leader.set(leading ? 1 : 0);
  }

  batchPublished(_batch: readonly StoredEvent[], messages: readonly OutboundMessage[], durationMs: number): void {
    const byTopic = new Map<string, number>();
    for (const m of messages) byTopic.set(m.topic, (byTopic.get(m.topic) ?? 0) + 1);
    for (const [topic, count] of byTopic) this.published.inc({ topic }, count);
    this.batchDuration.observe(durationMs / 1000);
  }

  failed(stage: RelayStage): void {
    this.failures.inc({ stage });
  }
}
