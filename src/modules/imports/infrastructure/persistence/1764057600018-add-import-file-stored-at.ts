import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each chunk of an uploaded file was written, so a file no import took up (its process died between the upload
 * and the import's creation) can be told apart from an upload still being made. The files kept until now get the
 * migration's time without a rewrite of the table; new chunks get the moment they are written.
 */
export class AddImportFileStoredAt1764057600018 implements MigrationInterface {
  name = 'AddImportFileStoredAt1764057600018';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_files ADD COLUMN stored_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`ALTER TABLE import_files ALTER COLUMN stored_at SET DEFAULT clock_timestamp()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_files DROP COLUMN stored_at`);
  }
}
