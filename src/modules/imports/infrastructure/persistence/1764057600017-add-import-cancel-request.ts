import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Who asked to cancel an import that had not ended, and when: whichever instance runs it stops at its next batch. */
export class AddImportCancelRequest1764057600017 implements MigrationInterface {
  name = 'AddImportCancelRequest1764057600017';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE imports ADD COLUMN cancel_requested_by text, ADD COLUMN cancel_requested_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE imports DROP COLUMN cancel_requested_by, DROP COLUMN cancel_requested_at`);
  }
}
