import type { SqlRunner } from './typeorm-unit-of-work.adapter.js';

let cursors = 0;

/**
 * A query's rows a page at a time through a cursor of the runner's transaction, so a reading of a whole table holds
 * one page. Each reading has a cursor of its own name, so two can run in one transaction.
 */
export async function* cursorPages<T>(sql: SqlRunner, query: string, params: unknown[], pageSize: number): AsyncGenerator<T[], void, undefined> {
  const cursor = `reading_${(cursors += 1)}`;
  await sql.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${query}`, params);
  try {
    for (;;) {
      const page = await sql.query<T>(`FETCH ${pageSize} FROM ${cursor}`);
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
    }
  } finally {
    // A reader that stops early leaves the cursor open till the transaction ends; an aborted transaction has
    // dropped it already, and its own error is the one to see.
    await sql.query(`CLOSE ${cursor}`).catch(() => undefined);
  }
}
