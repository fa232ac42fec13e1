import { IMPORT_EVENT_SCHEMA_VERSIONS } from '../../imports/domain/import.events.js';
import { USER_EVENT_SCHEMA_VERSIONS } from '../../users/domain/user.events.js';

/**
 * The message contract downstream consumers code against (asyncapi.yaml documents it): which topic an event goes
 * to, its key, its headers and its JSON value. Pure: no client, no clock, no I/O.
 */

/** Where the relay stands: every event at or before this (transaction id, position) pair was acknowledged. */
export interface RelayCursor {
  /** The event's `transaction_id` (xid8), a decimal string. */
  readonly transactionId: string;
  /** The event's global `position` (bigint), a decimal string. */
  readonly position: string;
}

export const RELAY_START: RelayCursor = { transactionId: '0', position: '0' };

/** A committed event as the relay reads it from the store. `dataJson` is the payload's JSON text, as stored. */
export interface StoredEvent extends RelayCursor {
  readonly eventId: string;
  readonly networkId: string;
  readonly streamType: 'user' | 'import';
  readonly streamId: string;
  readonly streamVersion: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly dataJson: string;
  readonly metadata: {
    readonly actorId: string;
    readonly actorEmail?: string;
    readonly correlationId: string;
    readonly causationId?: string;
    readonly importId?: string;
  };
  /** When the event was recorded: ISO 8601 in UTC with milliseconds, as Date.prototype.toISOString writes it. */
  readonly recordedAt: string;
}

/** One Kafka record, client-neutral. */
export interface OutboundMessage {
  readonly topic: string;
  readonly key: string;
  readonly headers: Readonly<Record<MessageHeader, string>>;
  /** JSON text (UTF-8 on the wire). */
  readonly value: string;
}

export interface TopicNames {
  /** User events, keyed by user id: `office-chat.users.v1` unless configured otherwise. */
  readonly users: string;
  /** Import events, keyed by import id: `office-chat.imports.v1` unless configured otherwise. */
  readonly imports: string;
}

export const DEFAULT_TOPICS: TopicNames = { users: 'office-chat.users.v1', imports: 'office-chat.imports.v1' };

export const HEADERS = {
  eventId: 'event-id',
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  networkId: 'network-id',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
} as const;

export type MessageHeader = (typeof HEADERS)[keyof typeof HEADERS];

/** The current schema version of every event type the contract documents. */
export const CURRENT_SCHEMA_VERSIONS: Readonly<Record<string, number>> = { ...USER_EVENT_SCHEMA_VERSIONS, ...IMPORT_EVENT_SCHEMA_VERSIONS };

/** True when a stored event is older than its type's current schema and has to be upcast before it is sent. */
export function needsUpcast(event: Pick<StoredEvent, 'type' | 'schemaVersion'>): boolean {
  const current = CURRENT_SCHEMA_VERSIONS[event.type];
  return current !== undefined && event.schemaVersion < current;
}

export function topicFor(streamType: StoredEvent['streamType'], topics: TopicNames): string {
  return streamType === 'import' ? topics.imports : topics.users;
}

/**
 * Who caused the event: the causation id the request named (X-Causation-Id) or, for rows of an import, the import;
 * for an event a request caused directly, that request itself, whose id is the correlation id.
 */
export function causationOf(event: Pick<StoredEvent, 'metadata'>): string {
  return event.metadata.causationId ?? event.metadata.correlationId;
}

/**
 * The record for one event. The key is the stream id (the user id on the users topic, the import id on the imports
 * topic), so one user's (or import's) events share a partition and keep their order. The value repeats the headers
 * and adds the stream version, time, actor and payload, so a consumer that ignores headers loses nothing.
 */
export function toOutboundMessage(event: StoredEvent, topics: TopicNames): OutboundMessage {
  const causationId = causationOf(event);
  const m = event.metadata;
  // Built as text: `dataJson` is spliced in as stored, without a parse and a re-serialisation per event.
  const value =
    `{"eventId":${JSON.stringify(event.eventId)},"type":${JSON.stringify(event.type)},"schemaVersion":${event.schemaVersion}` +
    `,"networkId":${JSON.stringify(event.networkId)},"streamId":${JSON.stringify(event.streamId)},"version":${event.streamVersion}` +
    `,"recordedAt":${JSON.stringify(event.recordedAt)}` +
    `,"actor":{"id":${JSON.stringify(m.actorId)},"email":${m.actorEmail === undefined ? 'null' : JSON.stringify(m.actorEmail)}}` +
    `,"correlationId":${JSON.stringify(m.correlationId)},"causationId":${JSON.stringify(causationId)}` +
    `,"importId":${m.importId === undefined ? 'null' : JSON.stringify(m.importId)}` +
    `,"data":${event.dataJson}}`;
  return {
    topic: topicFor(event.streamType, topics),
    key: event.streamId,
    headers: {
      [HEADERS.eventId]: event.eventId,
      [HEADERS.eventType]: event.type,
      [HEADERS.schemaVersion]: String(event.schemaVersion),
      [HEADERS.networkId]: event.networkId,
      [HEADERS.correlationId]: m.correlationId,
      [HEADERS.causationId]: causationId,
    },
    value,
  };
}

/**
 * The batch with each stream's events in version order, in the places that stream's events held (the batch itself
 * when they already are). Read order is transaction id order, and a transaction gets its id at its first write: one
 * that wrote first and appended to a stream later (an import batch: its users' events, then its import's next event
 * under the import's lock) may build on a version that a transaction with a higher id committed. Both become
 * readable together, once the older one ends; sent as read, the stream's later version would reach Kafka first.
 */
export function inStreamOrder<E extends Pick<StoredEvent, 'streamId' | 'streamVersion'>>(batch: readonly E[]): readonly E[] {
  const last = new Map<string, number>();
  let ordered = true;
  for (const event of batch) {
    if ((last.get(event.streamId) ?? 0) > event.streamVersion) ordered = false;
    last.set(event.streamId, event.streamVersion);
  }
  if (ordered) return batch;
  const byStream = new Map<string, E[]>();
  for (const event of batch) {
    const events = byStream.get(event.streamId);
    if (events) events.push(event);
    else byStream.set(event.streamId, [event]);
  }
  for (const events of byStream.values()) events.sort((a, b) => a.streamVersion - b.streamVersion);
  const taken = new Map<string, number>();
  return batch.map((event) => {
    const i = taken.get(event.streamId) ?? 0;
    taken.set(event.streamId, i + 1);
    return byStream.get(event.streamId)![i];
  });
}

/** The cursor of the last event of a batch read in commit order. */
export function cursorAfter(batch: readonly RelayCursor[]): RelayCursor | undefined {
  const last = batch[batch.length - 1];
  return last && { transactionId: last.transactionId, position: last.position };
}
