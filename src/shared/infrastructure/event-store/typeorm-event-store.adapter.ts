import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConcurrencyConflictError } from '../../application/application-errors.js';
import { EventUpcasters } from '../../application/event-upcasters.js';
import {
  type EventMetadata,
  EventStore,
  type RecordedEvent,
  type StreamAppend,
  type StreamType,
} from '../../application/ports/event-store.port.js';
import type { Transaction } from '../../application/ports/unit-of-work.port.js';
import { type BulkColumn, BulkLoader, type BulkValue } from '../database/bulk-loader.js';
import { cursorPages } from '../database/cursor-pages.js';
import { sqlRunner } from '../database/typeorm-unit-of-work.adapter.js';

interface EventRow {
  position: string;
  event_id: string;
  stream_type: StreamType;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata_id: string;
  /** The metadata's JSON text: parsed once for the rows in a row that share it (a command's events do). */
  metadata: string;
  /** Milliseconds since the epoch, parsed many times faster than timestamp text; events are written from Dates. */
  recorded_ms: number;
}

/** Events fetched a round trip when replaying streams. */
const STREAMS_PAGE = 5_000;

const COLUMNS = `e.position, e.event_id, e.stream_type, e.stream_id, e.stream_version, e.type, e.schema_version, e.data,
  e.metadata_id, m.metadata::text AS metadata, (extract(epoch FROM e.recorded_at) * 1000)::float8 AS recorded_ms`;
const FROM_EVENTS = `events e JOIN event_metadata m ON m.id = e.metadata_id`;

function isStreamVersionConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.driverError?.code ?? e.code;
  const constraint = e.driverError?.constraint ?? e.constraint;
  return code === '23505' && constraint === 'events_stream_version_unique';
}

const EVENT_COLUMNS: readonly BulkColumn[] = [
  { name: 'event_id', type: 'uuid' },
  { name: 'network_id', type: 'text' },
  { name: 'stream_type', type: 'text' },
  { name: 'stream_id', type: 'uuid' },
  { name: 'stream_version', type: 'int' },
  { name: 'type', type: 'text' },
  { name: 'schema_version', type: 'int' },
  { name: 'data', type: 'json' },
  { name: 'metadata_id', type: 'uuid' },
  { name: 'recorded_at', type: 'timestamptz' },
];

/**
 * The id of each metadata document an append has met: the same object (a command's, shared by all its events) keeps
 * its id when the append is retried, and every append stores the documents it uses (ON CONFLICT DO NOTHING), since
 * the transaction that first stored one may have rolled back.
 */
const metadataIds = new WeakMap<EventMetadata, string>();

/**
 * PostgreSQL event store. An append is one bulk load (COPY) whatever the batch size; the unique
 * (stream_id, stream_version) constraint is the optimistic concurrency check, so a stale writer fails instead of
 * overwriting. An event's metadata is stored once per command in event_metadata, in the same transaction.
 */
@Injectable()
export class TypeormEventStore extends EventStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly upcasters: EventUpcasters,
    private readonly bulk: BulkLoader,
  ) {
    super();
  }

  async takePlaceInOrder(tx: Transaction): Promise<void> {
    // Events are read in transaction id order (events.transaction_id); PostgreSQL gives a transaction its id at its
    // first write, or when asked for it.
    await sqlRunner(this.dataSource, tx).query(`SELECT pg_current_xact_id()`);
  }

  async append(tx: Transaction, appends: Iterable<StreamAppend>): Promise<void> {
    let streams = 0;
    let firstStream: string | undefined;
    const used = new Map<EventMetadata, string>();
    const idOf = (metadata: EventMetadata): string => {
      let id = used.get(metadata);
      if (id === undefined) {
        id = metadataIds.get(metadata) ?? randomUUID();
        metadataIds.set(metadata, id);
        used.set(metadata, id);
      }
      return id;
    };
    function* rows(): Generator<BulkValue[]> {
      for (const append of appends) {
        streams += 1;
        firstStream ??= append.streamId;
        for (let i = 0; i < append.events.length; i++) {
          const event = append.events[i];
          yield [
            event.eventId,
            event.metadata.networkId,
            append.streamType,
            append.streamId,
            append.expectedVersion + i + 1,
            event.type,
            event.schemaVersion,
            event.data,
            idOf(event.metadata),
            event.recordedAt,
          ];
        }
      }
    }
    try {
      await this.bulk.load(tx, 'events', EVENT_COLUMNS, rows());
    } catch (error) {
      if (isStreamVersionConflict(error)) {
        throw new ConcurrencyConflictError(streams === 1 && firstStream ? firstStream : 'one of the users in this batch');
      }
      throw error;
    }
    if (used.size === 0) return;
    await sqlRunner(this.dataSource, tx).query(
      `INSERT INTO event_metadata (id, metadata) SELECT id, metadata FROM json_to_recordset($1::json) AS m(id uuid, metadata json)
       ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify([...used].map(([metadata, id]) => ({ id, metadata })))],
    );
  }

  async readStream(networkId: string, streamId: string, tx?: Transaction): Promise<RecordedEvent[]> {
    const rows = await sqlRunner(this.dataSource, tx).query<EventRow>(
      `SELECT ${COLUMNS} FROM ${FROM_EVENTS} WHERE e.network_id = $1 AND e.stream_id = $2 ORDER BY e.stream_version`,
      [networkId, streamId],
    );
    return rows.map((r) => this.toRecorded(r, networkId));
  }

  async readAll(afterPosition: string, limit: number): Promise<RecordedEvent[]> {
    const rows = await this.dataSource.query<(EventRow & { network_id: string })[]>(
      `SELECT ${COLUMNS}, e.network_id FROM ${FROM_EVENTS} WHERE e.position > $1 ORDER BY e.position LIMIT $2`,
      [afterPosition, limit],
    );
    return rows.map((r) => this.toRecorded(r, r.network_id));
  }

  async *readStreams(tx: Transaction, streamType: StreamType, networkId?: string): AsyncGenerator<readonly RecordedEvent[], void, undefined> {
    const pages = cursorPages<EventRow & { network_id: string }>(
      sqlRunner(this.dataSource, tx),
      `SELECT ${COLUMNS}, e.network_id FROM ${FROM_EVENTS}
        WHERE e.stream_type = $1 ${networkId === undefined ? '' : 'AND e.network_id = $2'} ORDER BY e.stream_id, e.stream_version`,
      networkId === undefined ? [streamType] : [streamType, networkId],
      STREAMS_PAGE,
    );
    let stream: RecordedEvent[] = [];
    for await (const page of pages) {
      for (const row of page) {
        if (stream.length > 0 && stream[0].streamId !== row.stream_id) {
          yield stream;
          stream = [];
        }
        stream.push(this.toRecorded(row, row.network_id));
      }
    }
    if (stream.length > 0) yield stream;
  }

  private lastMetadata: { id: string; networkId: string; metadata: EventMetadata } | undefined;

  /** The events of one command share one metadata object, as they did when they were appended. */
  private metadataOf(row: EventRow, networkId: string): EventMetadata {
    const last = this.lastMetadata;
    if (last?.id === row.metadata_id && last.networkId === networkId) return last.metadata;
    const metadata: EventMetadata = { ...(JSON.parse(row.metadata) as Omit<EventMetadata, 'networkId'>), networkId };
    this.lastMetadata = { id: row.metadata_id, networkId, metadata };
    return metadata;
  }

  private toRecorded(row: EventRow, networkId: string): RecordedEvent {
    const { schemaVersion, data } = this.upcasters.upcast(row.type, row.schema_version, row.data);
    return {
      position: String(row.position),
      eventId: row.event_id,
      streamType: row.stream_type,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      type: row.type,
      schemaVersion,
      data,
      metadata: this.metadataOf(row, networkId),
      recordedAt: new Date(row.recorded_ms),
    };
  }
}
