import type { DataSource, QueryRunner } from 'typeorm';
import { RELAY_START, type RelayCursor, type StoredEvent } from '../../domain/message-contract.js';
import {
  type RelayCheckpointStore,
  type RelayEventSource,
  type RelayLag,
  RelayLagProbe,
  type RelayLease,
  RelayLeadership,
} from '../../application/ports/relay-outbox.port.js';

/** The Kafka relay's row in event_relay_checkpoints, and the name its advisory lock is derived from. */
export const KAFKA_RELAY = 'kafka';

/** What a relay's database session calls itself in pg_stat_activity. */
export const RELAY_APPLICATION_NAME = 'office-chat-users event relay';

interface EventRow {
  transaction_id: string;
  position: string;
  event_id: string;
  network_id: string;
  stream_type: 'user' | 'import';
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: string;
  metadata: StoredEvent['metadata'];
  recorded_at: Date;
}

/**
 * Committed events in commit order, never skipping one. A position alone is not enough: a transaction that took
 * position 101 may commit after the one that took 102 was relayed. So the relay reads only events whose transaction
 * id is below the oldest transaction still running (`pg_snapshot_xmin(pg_current_snapshot())`): each of those
 * transactions has ended, so no event can still appear before the cursor. It orders by (transaction id, position)
 * and resumes after the pair it checkpointed. An open transaction holds the horizon back (its events and later ones
 * wait); one that rolls back left nothing, and the horizon moves past it.
 */
const READ_SQL = `
  SELECT transaction_id::text AS transaction_id, position::text AS position, event_id, network_id, stream_type,
         stream_id, stream_version, type, schema_version, data::text AS data, metadata, recorded_at
    FROM events
   WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
     AND (transaction_id, position) > ($1::xid8, $2::bigint)
   ORDER BY transaction_id, position
   LIMIT $3`;

function toStoredEvent(r: EventRow): StoredEvent {
  return {
    transactionId: r.transaction_id,
    position: r.position,
    eventId: r.event_id,
    networkId: r.network_id,
    streamType: r.stream_type,
    streamId: r.stream_id,
    streamVersion: r.stream_version,
    type: r.type,
    schemaVersion: r.schema_version,
    dataJson: r.data,
    metadata: r.metadata,
    recordedAt: r.recorded_at,
  };
}

/** Reads and checkpoints on the session that holds the lease: once that session is gone, neither can succeed. */
class PostgresRelayLease implements RelayLease, RelayEventSource, RelayCheckpointStore {
  readonly events: RelayEventSource = this;
  readonly checkpoints: RelayCheckpointStore = this;
  private released = false;

  constructor(
    private readonly session: QueryRunner,
    private readonly relay: string,
    private readonly lockKey: string,
  ) {}

  async readAfter(cursor: RelayCursor, limit: number): Promise<StoredEvent[]> {
    const rows: EventRow[] = await this.session.query(READ_SQL, [cursor.transactionId, cursor.position, limit]);
    return rows.map(toStoredEvent);
  }

  async load(): Promise<RelayCursor> {
    await this.session.query(
      `INSERT INTO event_relay_checkpoints (relay, transaction_id, position) VALUES ($1, '0', 0) ON CONFLICT (relay) DO NOTHING`,
      [this.relay],
    );
    const [row] = await this.session.query(
      `SELECT transaction_id::text AS transaction_id, position::text AS position FROM event_relay_checkpoints WHERE relay = $1`,
      [this.relay],
    );
    return row ? { transactionId: row.transaction_id, position: row.position } : RELAY_START;
  }

  async save(cursor: RelayCursor, published: number): Promise<void> {
    // Only forward: a checkpoint never moves back, whatever a confused caller asks.
    await this.session.query(
      `UPDATE event_relay_checkpoints
          SET transaction_id = $2::xid8, position = $3::bigint, published_total = published_total + $4, updated_at = now()
        WHERE relay = $1 AND (transaction_id, position) <= ($2::xid8, $3::bigint)`,
      [this.relay, cursor.transactionId, cursor.position, published],
    );
  }

  async isHeld(): Promise<boolean> {
    if (this.released) return false;
    const [row] = await this.session.query(
      `SELECT EXISTS (SELECT 1 FROM pg_locks
                       WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1
                         AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)) AS held`,
      [this.lockKey],
    );
    return row.held === true;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.session.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [this.lockKey]);
      await this.session.query(`RESET application_name`);
    } catch {
      // The session is gone, and its lock with it.
    } finally {
      await this.session.release().catch(() => undefined);
    }
  }
}

export interface PostgresRelayLeadershipOptions {
  /** The checkpoint row and the lock name; one relay per name relays at a time. */
  readonly relay?: string;
  /**
   * TCP keepalive of the lease's session, so the server ends the session of a holder whose machine vanished
   * without closing its connection (a holder that dies on a live machine loses it at once). Seconds.
   */
  readonly keepalive?: { idle: number; interval: number; count: number };
}

/**
 * Exactly one relay at a time across every instance: a PostgreSQL session advisory lock, held by a session of its
 * own for as long as the instance relays. A holder that dies drops its connection and the lock with it; another
 * instance's next poll takes it over.
 */
export class PostgresRelayLeadership extends RelayLeadership {
  private readonly relay: string;
  private readonly lockKey: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: PostgresRelayLeadershipOptions = {},
  ) {
    super();
    this.relay = options.relay ?? KAFKA_RELAY;
    this.lockKey = `office-chat-users:event-relay:${this.relay}`;
  }

  async tryAcquire(): Promise<RelayLease | null> {
    const session = this.dataSource.createQueryRunner();
    await session.connect();
    try {
      const [row] = await session.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [this.lockKey]);
      if (!row.locked) {
        await session.release();
        return null;
      }
      const k = this.options.keepalive ?? { idle: 10, interval: 3, count: 3 };
      await session.query(
        `SELECT set_config('application_name', $1, false), set_config('tcp_keepalives_idle', $2, false),
                set_config('tcp_keepalives_interval', $3, false), set_config('tcp_keepalives_count', $4, false)`,
        [RELAY_APPLICATION_NAME, String(k.idle), String(k.interval), String(k.count)],
      );
    } catch (error) {
      await session.release().catch(() => undefined);
      throw error;
    }
    return new PostgresRelayLease(session, this.relay, this.lockKey);
  }
}

/** How far the relay is behind, from the checkpoint table: any instance can tell, on any connection. */
export class PostgresRelayLagProbe extends RelayLagProbe {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: string = KAFKA_RELAY,
  ) {
    super();
  }

  async lag(): Promise<RelayLag> {
    const [row] = await this.dataSource.query(
      `WITH c AS (
         SELECT coalesce((SELECT transaction_id FROM event_relay_checkpoints WHERE relay = $1), '0'::xid8) AS t,
                coalesce((SELECT position FROM event_relay_checkpoints WHERE relay = $1), 0) AS p)
       SELECT count(*)::bigint::text AS events,
              coalesce(extract(epoch FROM now() - min(e.recorded_at)), 0)::float8 AS seconds
         FROM events e, c
        WHERE (e.transaction_id, e.position) > (c.t, c.p)`,
      [this.relay],
    );
    return { events: Number(row.events), seconds: Math.max(0, Number(row.seconds)) };
  }
}

/** Committed events that have not reached Kafka yet (all of them while no relay runs). For the CLI. */
export async function pendingEventCount(dataSource: DataSource, relay: string = KAFKA_RELAY): Promise<number> {
  return (await new PostgresRelayLagProbe(dataSource, relay).lag()).events;
}
