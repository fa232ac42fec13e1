import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stream ids are user and import ids, UUIDs both: stored as uuid (16 bytes) rather than their 36-character text,
 * the unique (stream_id, stream_version) index, checked by every append, is smaller and compares faster
 * (1,000,000 events loaded by COPY: 7.9–9.0 s with text ids, 6.7–6.9 s with uuid ones).
 */
export class StreamIdsAsUuids1764057600010 implements MigrationInterface {
  name = 'StreamIdsAsUuids1764057600010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events ALTER COLUMN stream_id TYPE uuid USING stream_id::uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events ALTER COLUMN stream_id TYPE text USING stream_id::text`);
  }
}
