import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When an admin last had the users an import created invited (POST …/invitations), and who: the import's page then
 * says they were, instead of offering to invite them as if nobody had.
 */
export class AddImportInvitationsRequested1764057600021 implements MigrationInterface {
  name = 'AddImportInvitationsRequested1764057600021';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE imports ADD COLUMN invitations_requested_at timestamptz, ADD COLUMN invitations_requested_by text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE imports DROP COLUMN invitations_requested_at, DROP COLUMN invitations_requested_by`);
  }
}
