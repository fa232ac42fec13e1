import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether a manager note's line created its user, so that a link not made is reported as what happened: a new
 * user has no manager, an existing one keeps theirs. Notes of imports already under way were all worded as new.
 */
export class AddManagerLinkNewUser1764057600015 implements MigrationInterface {
  name = 'AddManagerLinkNewUser1764057600015';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_manager_links ADD COLUMN new_user boolean NOT NULL DEFAULT true`);
    await q.query(`ALTER TABLE import_manager_links ALTER COLUMN new_user DROP DEFAULT`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_manager_links DROP COLUMN new_user`);
  }
}
