import type { RelayCursor, StoredEvent } from '../../domain/message-contract.js';

/** The committed events to relay, in commit order. */
export interface RelayEventSource {
  /**
   * Up to `limit` events after `cursor` that are committed and can no longer be preceded by an event still being
   * written: reading them in this order, and resuming after the last one read, never skips an event.
   */
  readAfter(cursor: RelayCursor, limit: number): Promise<StoredEvent[]>;
}

/** Where the relay stands, durably. */
export interface RelayCheckpointStore {
  load(): Promise<RelayCursor>;
  /** Records that every event up to `cursor` was acknowledged; `published` of them in this step. */
  save(cursor: RelayCursor, published: number): Promise<void>;
}

/**
 * The right to relay: exactly one holder at a time across every instance. Its source and checkpoints work only
 * while it is held; when it is lost (the holder's database session ended), they fail.
 */
export interface RelayLease {
  readonly events: RelayEventSource;
  readonly checkpoints: RelayCheckpointStore;
  /** Whether this lease still holds (false, not an error, when its session is gone). */
  isHeld(): Promise<boolean>;
  release(): Promise<void>;
}

export abstract class RelayLeadership {
  /** The lease when no one else holds it, else null. Never waits for it. */
  abstract tryAcquire(): Promise<RelayLease | null>;
}

export interface RelayLag {
  /** Committed events not yet acknowledged by Kafka. */
  readonly events: number;
  /** Age of the oldest of them, 0 when there is none. */
  readonly seconds: number;
}

/** How far behind the relay is; any instance can ask, leader or not. */
export abstract class RelayLagProbe {
  abstract lag(): Promise<RelayLag>;
}
