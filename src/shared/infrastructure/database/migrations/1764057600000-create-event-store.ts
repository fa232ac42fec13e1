import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event store. `transaction_id` lets the Kafka relay read only below the oldest running transaction
 * (`pg_snapshot_xmin`), so an event whose position was taken early but committed late is never skipped.
 */
export class CreateEventStore1764057600000 implements MigrationInterface {
  name = 'CreateEventStore1764057600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events (
        position        bigserial PRIMARY KEY,
        transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
        event_id        uuid        NOT NULL,
        network_id      text        NOT NULL,
        stream_type     text        NOT NULL,
        stream_id       text        NOT NULL,
        stream_version  integer     NOT NULL,
        type            text        NOT NULL,
        schema_version  integer     NOT NULL,
        data            jsonb       NOT NULL,
        metadata        jsonb       NOT NULL,
        recorded_at     timestamptz NOT NULL,
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      )`);
    await q.query(`CREATE INDEX events_transaction_position ON events (transaction_id, position)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE events`);
  }
}
