import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The file's lines are staged in a temporary table now, and import_rows keeps only the lines that need a decision:
 * a settled line (skipped, unchanged) is counted, never stored, and the forward-reference look-up by e-mail runs
 * on the temporary table, so neither the outcome column nor the e-mail index has a reader any more.
 */
export class KeepOnlyUndecidedImportRows1764057600005 implements MigrationInterface {
  name = 'KeepOnlyUndecidedImportRows1764057600005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_rows DROP COLUMN outcome`);
    await q.query(`DROP INDEX import_rows_email`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX import_rows_email ON import_rows (import_id, email_key)`);
    await q.query(`ALTER TABLE import_rows ADD COLUMN outcome text CHECK (outcome IN ('skipped', 'unchanged'))`);
  }
}
