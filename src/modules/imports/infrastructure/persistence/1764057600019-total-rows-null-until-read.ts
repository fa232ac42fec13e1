import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * total_rows is null until the whole file has been read: an import that ended before (cancelled, or failed) kept
 * the default 0, and its report said the file had no lines. Imports that ended before this migration with 0 and
 * failed are taken as not read to their end; only a headings-only file cancelled while its links were made was
 * read, and it reads as unknown rather than as a wrong count.
 */
export class TotalRowsNullUntilRead1764057600019 implements MigrationInterface {
  name = 'TotalRowsNullUntilRead1764057600019';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE imports ALTER COLUMN total_rows DROP NOT NULL, ALTER COLUMN total_rows DROP DEFAULT`);
    await q.query(`UPDATE imports SET total_rows = NULL WHERE phase IN ('queued', 'applying') OR (status = 'failed' AND total_rows = 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE imports SET total_rows = 0 WHERE total_rows IS NULL`);
    await q.query(`ALTER TABLE imports ALTER COLUMN total_rows SET DEFAULT 0, ALTER COLUMN total_rows SET NOT NULL`);
  }
}
