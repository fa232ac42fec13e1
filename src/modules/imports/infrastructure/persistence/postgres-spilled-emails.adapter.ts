import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import { sqlRunner } from '../../../../shared/infrastructure/database/typeorm-unit-of-work.adapter.js';
import { SpilledEmails } from '../../application/ports/spilled-emails.port.js';

/**
 * The keys go as arrays; the new ones are inserted, each with the first line it is on. When every key of the run
 * was new and none came twice (a file without repeated e-mails: all its runs), that is the answer: each key's first
 * line is its own. Otherwise every key's first line is read back by a primary-key probe per key (a scalar subquery,
 * so statistics can never turn it into a scan of the import's keys: a hash join over them made a 3,000,000-line
 * file quadratic). Outside the batches' transactions: a key recorded by a batch that then rolled back names the line
 * it was on, which is read again and finds itself.
 */
@Injectable()
export class PostgresSpilledEmails extends SpilledEmails {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async firstLines(importId: string, keys: readonly string[], lines: readonly number[]): Promise<readonly number[]> {
    if (keys.length === 0) return [];
    const [{ added }] = await this.dataSource.query<{ added: number }[]>(
      `WITH added AS (
         INSERT INTO import_spilled_emails (import_id, email_key, line)
         SELECT $1, g.key, min(g.line) FROM unnest($2::text[], $3::int[]) AS g(key, line) GROUP BY g.key
         ON CONFLICT DO NOTHING RETURNING 1)
       SELECT count(*)::int AS added FROM added`,
      [importId, keys, lines],
    );
    if (added === keys.length) return lines;
    const [row] = await this.dataSource.query<{ lines: number[] }[]>(
      `SELECT array_agg((SELECT s.line FROM import_spilled_emails s WHERE s.import_id = $1 AND s.email_key = g.key) ORDER BY g.ord) AS lines
         FROM unnest($2::text[]) WITH ORDINALITY AS g(key, ord)`,
      [importId, keys],
    );
    return row.lines;
  }

  async purge(tx: Transaction, importId: string): Promise<void> {
    await sqlRunner(this.dataSource, tx).query(`DELETE FROM import_spilled_emails WHERE import_id = $1`, [importId]);
  }
}
