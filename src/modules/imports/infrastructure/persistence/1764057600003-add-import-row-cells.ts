import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A staged row keeps the cells of its line as the admin wrote them (JSON text), so a line rejected after staging
 * (a duplicate e-mail, a new user without a name) comes back in the error report as written: unknown columns
 * included, the mobile not normalised.
 */
export class AddImportRowCells1764057600003 implements MigrationInterface {
  name = 'AddImportRowCells1764057600003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_rows ADD COLUMN cells text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_rows DROP COLUMN cells`);
  }
}
