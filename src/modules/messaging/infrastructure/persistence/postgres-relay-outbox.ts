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
  tx: string;
  pos: string;
  event_id: string;
  network_id: string;
  stream_type: 'user' | 'import';
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: string;
  metadata: StoredEvent['metadata'];
  recorded_at: string;
}

/**
 * Committed events in commit order, never skipping one. A position alone is not enough: a transaction that took
 * position 101 may commit after the one that took 102 was relayed. So the relay reads only events whose transaction
 * id is below a horizon H such that every transaction of this database with an id below H has ended, orders them by
 * (transaction id, position) and resumes after the pair it checkpointed: no event can appear before the cursor later.
 *
 * H is `pg_snapshot_xmin(pg_current_snapshot())` (the oldest transaction still running on the server) refined to
 * this database: the snapshot's running transactions (its xip list), less those positively known to belong to
 * backends connected to another database (pg_stat_activity.backend_xid) or prepared there (pg_prepared_xacts); H is
 * the lowest of the rest, else the snapshot's xmax. Why it is as strong as xmin: a transaction id below H is either
 * below xmin (ended), or between xmin and xmax and not running (ended before the snapshot), or running in another
 * database, which cannot write to this events table. Transaction ids are never reused, so a stale pg_stat_activity
 * row only ever names another database's transaction; one that has not shown up there yet is simply kept, which holds
 * H lower (later, never wrong). Without it, any long write transaction anywhere on the server would hold the relay
 * back; with it, only this database's do. (A role that cannot read other users' backend_xid, i.e. without
 * pg_read_all_stats, gets nulls there and falls back to plain xmin.) The statement runs on one snapshot: the events
 * it sees are exactly those committed in it.
 *
 * The text copies of the cursor columns get names of their own: ORDER BY prefers an output column's name to a table
 * column's, and ordering by text ('10' < '9') would skip events.
 */
const READ_SQL = `
  WITH snapshot AS MATERIALIZED (SELECT pg_current_snapshot() AS s),
  elsewhere AS MATERIALIZED (
    SELECT backend_xid::text::bigint AS xid32 FROM pg_stat_activity
     WHERE backend_xid IS NOT NULL AND datname IS NOT NULL AND datname <> current_database()
    UNION ALL
    SELECT transaction::text::bigint FROM pg_prepared_xacts WHERE database <> current_database()),
  horizon AS MATERIALIZED (
    SELECT coalesce(min(x), pg_snapshot_xmax((SELECT s FROM snapshot))) AS h
      FROM pg_snapshot_xip((SELECT s FROM snapshot)) AS x
     WHERE NOT EXISTS (SELECT 1 FROM elsewhere w WHERE w.xid32 = (x::text::numeric % 4294967296)::bigint))
  SELECT e.transaction_id::text AS tx, e.position::text AS pos, e.event_id, e.network_id, e.stream_type,
         e.stream_id, e.stream_version, e.type, e.schema_version, e.data::text AS data, m.metadata,
         to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at
    FROM events e JOIN event_metadata m ON m.id = e.metadata_id
   WHERE e.transaction_id < (SELECT h FROM horizon)
     AND (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
   ORDER BY e.transaction_id, e.position
   LIMIT $3`;

function toStoredEvent(r: EventRow): StoredEvent {
  return {
    transactionId: r.tx,
    position: r.pos,
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
      `SELECT transaction_id::text AS tx, position::text AS pos FROM event_relay_checkpoints WHERE relay = $1`,
      [this.relay],
    );
    return row ? { transactionId: row.tx, position: row.pos } : RELAY_START;
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
