import type { Transaction } from './unit-of-work.port.js';

export type StreamType = 'user' | 'import';

export interface EventMetadata {
  readonly networkId: string;
  readonly actorId: string;
  readonly actorEmail?: string;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly importId?: string;
}

export interface NewEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: object;
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
}

export interface RecordedEvent extends NewEvent {
  /** Global position, a decimal string because it is a bigint in the store. */
  readonly position: string;
  readonly streamType: StreamType;
  readonly streamId: string;
  readonly streamVersion: number;
}

export interface StreamAppend {
  readonly streamType: StreamType;
  readonly streamId: string;
  /** Version the writer decided on: 0 for a new stream. A different current version is a conflict. */
  readonly expectedVersion: number;
  readonly events: readonly NewEvent[];
}

export abstract class EventStore {
  /**
   * Appends to many streams at once; throws ConcurrencyConflictError if any expected version is stale. The appends
   * may be made lazily: they are taken once, in order, and all of them before the promise resolves, so a writer can
   * decide the next ones while the store writes those before.
   */
  abstract append(tx: Transaction, appends: Iterable<StreamAppend>): Promise<void>;
  /**
   * Gives the transaction its place in the order events are read and relayed in now, instead of at its first write.
   * A writer whose events must come after those of another transaction it lets start later (an import's next
   * batch, which appends the import's next event) takes its place before letting it start.
   */
  abstract takePlaceInOrder(tx: Transaction): Promise<void>;
  /** A stream's events in order, upcast to the current schema versions. Scoped to one network. */
  abstract readStream(networkId: string, streamId: string, tx?: Transaction): Promise<RecordedEvent[]>;
  /** Events after a global position, in position order (admin tooling, rebuilds). */
  abstract readAll(afterPosition: string, limit: number): Promise<RecordedEvent[]>;
  /**
   * Every stream of a type, one network's or all networks', each whole, upcast and in version order, streams in
   * stream-id order (a uuid's order, which is its lower-case text's): a projection replays them against its rows.
   * Read through a cursor in the transaction, so only a page of events is held at a time.
   */
  abstract readStreams(tx: Transaction, streamType: StreamType, networkId?: string): AsyncGenerator<readonly RecordedEvent[], void, undefined>;
}
