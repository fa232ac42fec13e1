import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Durable imports: the uploaded file (in chunks, so any instance can read it and nothing holds it whole), the
 * import's report and job state, the staged rows the worker applies batch by batch, and the rejected rows.
 */
export class CreateImports1764057600002 implements MigrationInterface {
  name = 'CreateImports1764057600002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_files (
        import_id  uuid    NOT NULL,
        chunk_no   integer NOT NULL,
        data       bytea   NOT NULL,
        PRIMARY KEY (import_id, chunk_no)
      )`);
    await q.query(`
      CREATE TABLE imports (
        id                  uuid        PRIMARY KEY,
        network_id          text        NOT NULL,
        status              text        NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        phase               text        NOT NULL CHECK (phase IN ('queued', 'staging', 'applying', 'done')),
        mode                text        NOT NULL CHECK (mode IN ('skip', 'update')),
        auto_send_invites   boolean     NOT NULL,
        dry_run             boolean     NOT NULL,
        file_name           text        NOT NULL,
        sha256              text        NOT NULL,
        size_bytes          bigint      NOT NULL,
        counts              jsonb       NOT NULL,
        columns             jsonb       NOT NULL DEFAULT '[]',
        warnings            jsonb       NOT NULL DEFAULT '[]',
        warning_count       integer     NOT NULL DEFAULT 0,
        failure_reason      text,
        requested_by_id     text        NOT NULL,
        requested_by_email  text,
        notify_email        text,
        total_rows          integer     NOT NULL DEFAULT 0,
        applied_through     integer     NOT NULL DEFAULT 0,
        batches             integer     NOT NULL DEFAULT 0,
        correlation_id      text        NOT NULL,
        created_at          timestamptz NOT NULL,
        started_at          timestamptz,
        finished_at         timestamptz,
        updated_at          timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX imports_network_created ON imports (network_id, created_at DESC, id)`);
    await q.query(`CREATE INDEX imports_pending ON imports (created_at) WHERE status IN ('queued', 'running')`);
    await q.query(`
      CREATE TABLE import_rows (
        import_id     uuid    NOT NULL,
        line          integer NOT NULL,
        email         text    NOT NULL,
        email_key     text    NOT NULL,
        name          text,
        first_name    text,
        last_name     text,
        title         text,
        mobile        text,
        manager_key   text,
        enabled       boolean,
        user_id       uuid,
        existing      boolean NOT NULL DEFAULT false,
        manager_id    uuid,
        manager_email text,
        warning       text,
        rejection     text,
        PRIMARY KEY (import_id, line)
      )`);
    await q.query(`CREATE INDEX import_rows_email ON import_rows (import_id, email_key)`);
    await q.query(`
      CREATE TABLE import_rejections (
        import_id  uuid    NOT NULL,
        line       integer NOT NULL,
        email      text,
        error      text    NOT NULL,
        field      text,
        fields     jsonb   NOT NULL,
        PRIMARY KEY (import_id, line)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_rejections, import_rows, imports, import_files`);
  }
}
