import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Uploaded files are stored as they are: compressing each 1 MiB chunk on the way in and decompressing it on the
 * way out cost more time than the disk it saved (a file lives only until its import is done).
 */
export class StoreImportFilesUncompressed1764057600006 implements MigrationInterface {
  name = 'StoreImportFilesUncompressed1764057600006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_files ALTER COLUMN data SET STORAGE EXTERNAL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_files ALTER COLUMN data SET STORAGE EXTENDED`);
  }
}
