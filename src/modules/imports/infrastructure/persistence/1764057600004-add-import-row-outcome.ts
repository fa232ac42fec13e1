import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole-file pass settles, in SQL, the lines whose outcome needs no decision (skipped, or unchanged because
 * every cell equals the user's current value), so re-importing a file does not bring a million rows back to Node.
 */
export class AddImportRowOutcome1764057600004 implements MigrationInterface {
  name = 'AddImportRowOutcome1764057600004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_rows ADD COLUMN outcome text CHECK (outcome IN ('skipped', 'unchanged'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_rows DROP COLUMN outcome`);
  }
}
