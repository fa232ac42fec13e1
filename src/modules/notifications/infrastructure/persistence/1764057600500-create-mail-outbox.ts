import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The mail outbox: e-mails recorded in the transaction that decided to send them, delivered later by the
 * worker. Unique (import_id, kind) makes reporting the same import twice enqueue one mail; rows without an
 * import never collide because NULLs are distinct. Sent and failed rows stay, so an operator can see them.
 */
export class CreateMailOutbox1764057600500 implements MigrationInterface {
  name = 'CreateMailOutbox1764057600500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mail_outbox (
        id               uuid        PRIMARY KEY,
        network_id       text        NOT NULL,
        import_id        uuid,
        kind             text        NOT NULL,
        recipient        text        NOT NULL,
        subject          text        NOT NULL,
        html             text        NOT NULL,
        text             text        NOT NULL,
        status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts         integer     NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL,
        last_error       text,
        created_at       timestamptz NOT NULL,
        sent_at          timestamptz,
        CONSTRAINT mail_outbox_import_kind_unique UNIQUE (import_id, kind)
      )`);
    // The worker only ever looks for pending mail that is due; sent mail piles up and must not slow it down.
    await q.query(`CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mail_outbox`);
  }
}
