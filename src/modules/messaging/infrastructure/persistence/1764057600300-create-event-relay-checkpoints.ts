import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where each event relay stands: every event at or before (transaction_id, position), in that order, was
 * acknowledged by the broker. Both columns, because the relay reads in commit order (transaction id, then position),
 * not in position order. The Kafka relay's row starts before the first event: switched on, it relays the whole store.
 */
export class CreateEventRelayCheckpoints1764057600300 implements MigrationInterface {
  name = 'CreateEventRelayCheckpoints1764057600300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_relay_checkpoints (
        relay            text        PRIMARY KEY,
        transaction_id   xid8        NOT NULL,
        position         bigint      NOT NULL,
        published_total  bigint      NOT NULL DEFAULT 0,
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO event_relay_checkpoints (relay, transaction_id, position) VALUES ('kafka', '0', 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_relay_checkpoints`);
  }
}
