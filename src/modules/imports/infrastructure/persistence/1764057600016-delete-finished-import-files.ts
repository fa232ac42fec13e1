import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Uploaded files are now deleted when their import ends: those of imports that ended before go too. */
export class DeleteFinishedImportFiles1764057600016 implements MigrationInterface {
  name = 'DeleteFinishedImportFiles1764057600016';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM import_files f USING imports i WHERE i.id = f.import_id AND i.phase = 'done'`);
  }

  async down(): Promise<void> {
    // The files are gone: nothing to put back.
  }
}
