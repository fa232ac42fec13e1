import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The e-mail keys of a file's lines past those an import holds in memory, with the line each was first on, until the
 * import ends: a file of any size is checked for repeated e-mails in bounded memory.
 */
export class AddImportSpilledEmails1764057600013 implements MigrationInterface {
  name = 'AddImportSpilledEmails1764057600013';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_spilled_emails (
        import_id  uuid    NOT NULL,
        email_key  text    NOT NULL,
        line       integer NOT NULL,
        PRIMARY KEY (import_id, email_key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_spilled_emails`);
  }
}
