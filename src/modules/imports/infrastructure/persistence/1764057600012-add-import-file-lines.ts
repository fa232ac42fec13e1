import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The uploaded file's lines (its line breaks: an upper bound on its rows, known at upload), so an import sizes what
 * it keeps per line once, rather than growing it (and holding old and new at once) as it reads, and a progress
 * display knows roughly how far it has to go.
 */
export class AddImportFileLines1764057600012 implements MigrationInterface {
  name = 'AddImportFileLines1764057600012';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE imports ADD COLUMN file_lines integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE imports DROP COLUMN file_lines`);
  }
}
