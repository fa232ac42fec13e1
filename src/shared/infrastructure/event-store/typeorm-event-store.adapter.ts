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
  metadata: EventMetadata;
  recorded_at: Date;
}

const COLUMNS = `position, event_id, stream_type, stream_id, stream_version, type, schema_version, data, metadata, recorded_at`;

function isStreamVersionConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.driverError?.code ?? e.code;
  const constraint = e.driverError?.constraint ?? e.constraint;
  return code === '23505' && constraint === 'events_stream_version_unique';
}

/**
 * PostgreSQL event store. Appends are one multi-row INSERT from a single JSON parameter whatever the batch size
 * (far from the 65,535-parameter limit, and no per-element escaping in the driver); the unique (stream_id, stream_version) constraint is the optimistic
 * concurrency check, so a stale writer fails instead of overwriting.
 */
@Injectable()
export class TypeormEventStore extends EventStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly upcasters: EventUpcasters,
  ) {
    super();
  }

  async append(tx: Transaction, appends: readonly StreamAppend[]): Promise<void> {
    const rows: object[] = [];
    for (const append of appends) {
      append.events.forEach((event, i) =>
        rows.push({
          e: event.eventId,
          n: event.metadata.networkId,
          st: append.streamType,
          s: append.streamId,
          v: append.expectedVersion + i + 1,
          t: event.type,
          sv: event.schemaVersion,
          d: event.data,
          m: event.metadata,
          r: event.recordedAt,
        }),
      );
    }
    if (rows.length === 0) return;
    try {
      await sqlRunner(this.dataSource, tx).query(
        `INSERT INTO events (event_id, network_id, stream_type, stream_id, stream_version, type, schema_version, data, metadata, recorded_at)
         SELECT e, n, st, s, v, t, sv, d, m, r
           FROM json_to_recordset($1::json) AS x(e uuid, n text, st text, s text, v int, t text, sv int, d jsonb, m jsonb, r timestamptz)`,
        [JSON.stringify(rows)],
      );
    } catch (error) {
      if (isStreamVersionConflict(error)) {
        throw new ConcurrencyConflictError(appends.length === 1 ? appends[0].streamId : 'one of the users in this batch');
      }
      throw error;
    }
  }

  async readStream(networkId: string, streamId: string, tx?: Transaction): Promise<RecordedEvent[]> {
    const rows = await sqlRunner(this.dataSource, tx).query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE network_id = $1 AND stream_id = $2 ORDER BY stream_version`,
      [networkId, streamId],
    );
    return rows.map((r) => this.toRecorded(r, networkId));
  }

  async readAll(afterPosition: string, limit: number): Promise<RecordedEvent[]> {
    const rows = await this.dataSource.query<(EventRow & { network_id: string })[]>(
      `SELECT ${COLUMNS}, network_id FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
      [afterPosition, limit],
    );
    return rows.map((r) => this.toRecorded(r, r.network_id));
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
      metadata: { ...row.metadata, networkId },
      recordedAt: new Date(row.recorded_at),
    };
  }
}
