import { randomBytes } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The key list cursors are sealed with (sealed-cursors.ts): made once, here, and shared by every instance through
 * the database, so a cursor one instance gave is read by any other, with nothing to configure. Replacing it only
 * makes the cursors already given a 400.
 */
export class CreateCursorKey1764057600020 implements MigrationInterface {
  name = 'CreateCursorKey1764057600020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cursor_key (only_one boolean PRIMARY KEY DEFAULT true CHECK (only_one), key bytea NOT NULL)`);
    await q.query(`INSERT INTO cursor_key (key) VALUES ($1)`, [randomBytes(32)]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cursor_key`);
  }
}
