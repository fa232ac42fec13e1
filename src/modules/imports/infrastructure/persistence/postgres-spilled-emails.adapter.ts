import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import { sqlRunner } from '../../../../shared/infrastructure/database/typeorm-unit-of-work.adapter.js';
import { SpilledEmails } from '../../application/ports/spilled-emails.port.js';

/**
 * One statement a run of lines: the keys go as two arrays, those the import had are looked up by its primary key,
 * the new ones inserted (each with the first line it is on), and the first lines come back as one integer array in
 * the keys' order. Outside the batches' transactions: a key recorded by a batch that then rolled back names the
 * line it was on, which is read again and finds itself.
 */
@Injectable()
export class PostgresSpilledEmails extends SpilledEmails {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async firstLines(importId: string, keys: readonly string[], lines: readonly number[]): Promise<readonly number[]> {
    if (keys.length === 0) return [];
    const [row] = await this.dataSource.query<{ lines: number[] }[]>(
      `WITH given AS (SELECT g.key, g.line, g.ord FROM unnest($2::text[], $3::int[]) WITH ORDINALITY AS g(key, line, ord)),
            first_given AS (SELECT key, min(line) AS line FROM given GROUP BY key),
            recorded AS (SELECT s.email_key AS key, s.line FROM import_spilled_emails s
                          WHERE s.import_id = $1 AND s.email_key = ANY($2::text[])),
            added AS (INSERT INTO import_spilled_emails (import_id, email_key, line)
                      SELECT $1, f.key, f.line FROM first_given f WHERE NOT EXISTS (SELECT 1 FROM recorded r WHERE r.key = f.key)
                      ON CONFLICT DO NOTHING)
       SELECT coalesce(array_agg(coalesce(r.line, f.line) ORDER BY g.ord), '{}') AS lines
         FROM given g JOIN first_given f ON f.key = g.key LEFT JOIN recorded r ON r.key = g.key`,
      [importId, keys, lines],
    );
    return row.lines;
  }

  async purge(tx: Transaction, importId: string): Promise<void> {
    await sqlRunner(this.dataSource, tx).query(`DELETE FROM import_spilled_emails WHERE import_id = $1`, [importId]);
  }
}
