import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delimiter of an import's file, so that its rejected lines are given back as a CSV with the same one: a file
 * from a spreadsheet whose list separator is ";" opens split into columns there. Null for earlier imports (a comma).
 */
export class AddImportDelimiter1764057600014 implements MigrationInterface {
  name = 'AddImportDelimiter1764057600014';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE imports ADD COLUMN delimiter text CHECK (delimiter IN (',', ';', E'\\t'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE imports DROP COLUMN delimiter`);
  }
}
