import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Imports apply their lines batch by batch as the file is read, instead of staging every line and resolving the
 * whole file in SQL first. What used to wait for that pass, the manager links that need the whole file (a manager
 * on a later line, a new manager for an existing user), are noted per line and decided at the end; a dry run keeps
 * the users it would have created, so its later lines can name them as managers. Staged lines are gone with the
 * staging: an import caught in the middle of it starts again, one caught applying resumes after its last batch.
 */
export class ApplyImportsAsRead1764057600007 implements MigrationInterface {
  name = 'ApplyImportsAsRead1764057600007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_rows`);
    const staged = await q.query(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'import\\_staged\\_%'`);
    for (const { tablename } of staged as { tablename: string }[]) await q.query(`DROP TABLE ${q.connection.driver.escape(tablename)}`);
    await q.query(`ALTER TABLE imports DROP CONSTRAINT imports_phase_check`);
    await q.query(`UPDATE imports SET phase = 'queued' WHERE phase = 'staging'`);
    await q.query(`ALTER TABLE imports ADD CONSTRAINT imports_phase_check CHECK (phase IN ('queued', 'applying', 'linking', 'done'))`);
    await q.query(`ALTER TABLE imports ADD COLUMN managers_linked boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE import_manager_links (
        import_id        uuid    NOT NULL,
        line             integer NOT NULL,
        user_id          uuid    NOT NULL,
        manager_key      text    NOT NULL,
        kind             text    NOT NULL CHECK (kind IN ('link', 'self')),
        outcome_pending  boolean NOT NULL,
        decision         text    CHECK (decision IN ('made', 'unknown', 'cycle')),
        manager_id       uuid,
        manager_email    text,
        made             boolean NOT NULL DEFAULT false,
        PRIMARY KEY (import_id, line)
      )`);
    await q.query(`
      CREATE TABLE import_dry_run_users (
        import_id   uuid NOT NULL,
        email_key   text NOT NULL,
        user_id     uuid NOT NULL,
        email       text NOT NULL,
        manager_id  uuid,
        PRIMARY KEY (import_id, email_key)
      )`);
    await q.query(`CREATE INDEX import_dry_run_users_id ON import_dry_run_users (import_id, user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_dry_run_users, import_manager_links`);
    await q.query(`ALTER TABLE imports DROP COLUMN managers_linked`);
    await q.query(`ALTER TABLE imports DROP CONSTRAINT imports_phase_check`);
    await q.query(`UPDATE imports SET phase = 'applying' WHERE phase = 'linking'`);
    await q.query(`ALTER TABLE imports ADD CONSTRAINT imports_phase_check CHECK (phase IN ('queued', 'staging', 'applying', 'done'))`);
    await q.query(`
      CREATE TABLE import_rows (
        import_id uuid NOT NULL, line integer NOT NULL, email text NOT NULL, email_key text NOT NULL, name text,
        first_name text, last_name text, title text, mobile text, manager_key text, enabled boolean, user_id uuid,
        existing boolean NOT NULL DEFAULT false, manager_id uuid, manager_email text, warning text, rejection text,
        cells text, PRIMARY KEY (import_id, line)
      )`);
  }
}
