import {
  cursorAfter,
  inStreamOrder,
  type OutboundMessage,
  type RelayCursor,
  type StoredEvent,
  toOutboundMessage,
  type TopicNames,
} from '../../domain/message-contract.js';
import type { EventPublisher, TopicSpec } from '../ports/event-publisher.port.js';
import type { RelayLease, RelayLeadership } from '../ports/relay-outbox.port.js';

export interface EventRelayOptions {
  readonly topics: TopicNames;
  /** The topics to create when missing (their names are those of `topics`). */
  readonly topicSpecs: readonly TopicSpec[];
  /** Most events per round: one read, one publish (several produce requests if need be), one checkpoint. */
  readonly batchSize: number;
  /** Pause after a round that found fewer than batchSize events, before looking again. */
  readonly intervalMs: number;
  /** First pause after a failure; it doubles on each further failure up to retryMaxMs. */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  /** How often an instance without the lease tries to take it. */
  readonly leaderPollMs: number;
}

export type RelayStage = 'leadership' | 'relay';

/** What the relay tells the outside world (metrics, logs); every method is optional. */
export interface RelayObserver {
  leadershipChanged?(leading: boolean): void;
  published?(batch: readonly StoredEvent[], messages: readonly OutboundMessage[], durationMs: number): void;
  failed?(stage: RelayStage, error: unknown, attempt: number, retryInMs: number): void;
  recovered?(afterFailures: number): void;
}

/** Seams for fault tests. */
export interface RelayHooks {
  /** Runs after every read of the store, with what it returned (possibly nothing), before the batch is sent. */
  afterRead?(batch: readonly StoredEvent[]): Promise<void> | void;
  /** Runs after the broker acknowledged a batch and before its checkpoint is written. */
  afterSend?(batch: readonly StoredEvent[]): Promise<void> | void;
}

export interface RelayStatus {
  readonly running: boolean;
  readonly leading: boolean;
  /** Failures in a row; 0 once a round succeeded again. */
  readonly consecutiveFailures: number;
  readonly lastError?: string;
  readonly lastErrorAt?: Date;
  readonly lastPublishedAt?: Date;
  readonly publishedTotal: number;
}

/** An older stored payload brought to its type's current schema (identity when none applies). */
export type EventUpcast = (event: StoredEvent) => StoredEvent;

/**
 * Relays the event store to the broker, at least once and in commit order. Whoever holds the lease reads a batch of
 * committed events after the checkpoint, publishes it, and only once the broker acknowledged all of it moves the
 * checkpoint past it. A crash between the two sends the batch again on restart (consumers dedupe on event-id);
 * nothing is ever skipped. While the broker or the database fails it backs off (doubling up to retryMaxMs) and goes
 * on from the checkpoint; a lost lease sends it back to waiting for the lease.
 */
export class EventRelay {
  private controller: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private state: {
    leading: boolean;
    consecutiveFailures: number;
    lastError?: string;
    lastErrorAt?: Date;
    lastPublishedAt?: Date;
    publishedTotal: number;
  } = { leading: false, consecutiveFailures: 0, publishedTotal: 0 };

  constructor(
    private readonly leadership: RelayLeadership,
    private readonly publisher: EventPublisher,
    private readonly options: EventRelayOptions,
    private readonly observer: RelayObserver = {},
    private readonly upcast: EventUpcast = (e) => e,
    private readonly hooks: RelayHooks = {},
  ) {}

  status(): RelayStatus {
    return { running: this.loop !== undefined, ...this.state };
  }

  /** Starts the loop in the background (no-op when it runs). */
  start(): void {
    if (this.loop) return;
    const controller = new AbortController();
    this.controller = controller;
    this.loop = this.run(controller.signal);
  }

  /** Stops the loop and waits for the round in progress, then gives the lease back. */
  async stop(): Promise<void> {
    this.controller?.abort();
    this.wake();
    await this.loop;
    this.loop = undefined;
    this.controller = undefined;
  }

  /** Cuts the current pause short: look for events (or for the lease) now. */
  wake(): void {
    this.wakeUp?.();
  }

  private async run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      let lease: RelayLease | null;
      try {
        lease = await this.leadership.tryAcquire();
      } catch (error) {
        attempt += 1;
        const delay = this.backoff(attempt);
        this.recordFailure('leadership', error, attempt, delay);
        await this.pause(delay, signal);
        continue;
      }
      attempt = 0;
      if (!lease) {
        await this.pause(this.options.leaderPollMs, signal);
        continue;
      }
      this.setLeading(true);
      try {
        await this.lead(lease, signal);
      } finally {
        this.setLeading(false);
        await lease.release().catch(() => undefined);
      }
    }
  }

  /** Relays while the lease holds; returns when it is lost or the relay stops. */
  private async lead(lease: RelayLease, signal: AbortSignal): Promise<void> {
    let topicsReady = false;
    let cursor: RelayCursor | undefined;
    // The next batch, read while the current one is being published (the database works while Kafka does).
    let prefetched: Promise<StoredEvent[]> | undefined;
    while (!signal.aborted) {
      try {
        if (!topicsReady) {
          await this.publisher.ensureTopics(this.options.topicSpecs);
          topicsReady = true;
        }
        cursor ??= await lease.checkpoints.load();
        const batch = await (prefetched ?? lease.events.readAfter(cursor, this.options.batchSize));
        prefetched = undefined;
        await this.hooks.afterRead?.(batch);
        const full = batch.length >= this.options.batchSize;
        if (full) {
          prefetched = lease.events.readAfter(cursorAfter(batch)!, this.options.batchSize);
          prefetched.catch(() => undefined);
        }
        if (batch.length > 0) cursor = await this.relayBatch(lease, batch);
        if (this.state.consecutiveFailures > 0) {
          this.observer.recovered?.(this.state.consecutiveFailures);
          this.state.consecutiveFailures = 0;
        }
        if (!full) await this.pause(this.options.intervalMs, signal);
      } catch (error) {
        const attempt = this.state.consecutiveFailures + 1;
        const delay = this.backoff(attempt);
        this.recordFailure('relay', error, attempt, delay);
        // Start over from what is durable: the checkpoint, and topics checked again.
        await prefetched?.catch(() => undefined);
        prefetched = undefined;
        cursor = undefined;
        topicsReady = false;
        await this.pause(delay, signal);
        if (signal.aborted || !(await lease.isHeld().catch(() => false))) return;
      }
    }
    await prefetched?.catch(() => undefined);
  }

  /** Publishes one batch and, once the broker acknowledged all of it, moves the checkpoint past it. */
  private async relayBatch(lease: RelayLease, batch: readonly StoredEvent[]): Promise<RelayCursor> {
    const started = Date.now();
    // The checkpoint stays the last event read; only the order of sending changes, per stream.
    const messages = inStreamOrder(batch).map((event) => toOutboundMessage(this.upcast(event), this.options.topics));
    await this.publisher.publish(messages);
    await this.hooks.afterSend?.(batch);
    const next = cursorAfter(batch)!;
    await lease.checkpoints.save(next, batch.length);
    this.state.publishedTotal += batch.length;
    this.state.lastPublishedAt = new Date();
    this.observer.published?.(batch, messages, Date.now() - started);
    return next;
  }

  private setLeading(leading: boolean): void {
    if (this.state.leading === leading) return;
    this.state.leading = leading;
    this.observer.leadershipChanged?.(leading);
  }

  private recordFailure(stage: RelayStage, error: unknown, attempt: number, delay: number): void {
    if (stage === 'relay') this.state.consecutiveFailures = attempt;
    this.state.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.state.lastErrorAt = new Date();
    this.observer.failed?.(stage, error, attempt, delay);
  }

  /** Exponential back-off with ±20 % jitter, so instances do not retry in step. */
  private backoff(attempt: number): number {
    const base = Math.min(this.options.retryMaxMs, this.options.retryMinMs * 2 ** Math.min(attempt - 1, 30));
    return Math.min(this.options.retryMaxMs, Math.round(base * (0.8 + Math.random() * 0.4)));
  }

  /** Waits `ms`, or less when woken or stopped. */
  private pause(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref?.();
      signal.addEventListener('abort', done, { once: true });
      this.wakeUp = done;
    });
  }
}
