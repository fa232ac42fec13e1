/**
 * A file's repeated e-mails are found whatever its size: past IMPORT_EMAILS_IN_MEMORY keys (3 here, batches of 2)
 * the keys are kept in PostgreSQL, and a line repeating an e-mail held in memory, kept in the database, seen in an
 * earlier batch or in its own is rejected naming the first line, as when all are held in memory.
 */
import { randomUUID } from 'node:crypto';
import { UnitOfWork } from '../../../src/shared/application/ports/unit-of-work.port.js';
import { PostgresSpilledEmails } from '../../../src/modules/imports/infrastructure/persistence/postgres-spilled-emails.adapter.js';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { csv, exclusiveSum, importCsv, importsPath, usersOf } from '../../support/imports.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true', IMPORT_BATCH_SIZE: '2', IMPORT_EMAILS_IN_MEMORY: '3' });
});
afterAll(() => t.close());

it('duplicates on both sides of the memory bound are rejected naming their first line; nothing is left behind', async () => {
  const network = uniqueNetworkId('spill');
  const report = await importCsv(
    t,
    network,
    csv(
      'email/login,name',
      'a@acme.example,A', // 2: held in memory
      'b@acme.example,B', // 3: held
      'A@Acme.Example,A again', // 4: repeats 2 (memory)
      'c@acme.example,C', // 5: held; memory is full now
      'd@acme.example,D', // 6: kept in the database
      'e@acme.example,E', // 7: kept in the database
      'D@acme.example,D again', // 8: repeats 6 (database, an earlier batch)
      'b@acme.example,B again', // 9: repeats 3 (memory, after it filled)
      'f@acme.example,F', // 10: kept in the database
      'f@acme.example,F again', // 11: repeats 10 (database, the same batch)
      'not-an-email,X', // 12: rejected as invalid
      'e@acme.example,E again', // 13: repeats 7 (database)
    ),
  );
  expect(report.status).toBe('completed');
  expect(report.counts).toMatchObject({ rows: 12, created: 6, rejected: 6 });
  expect(exclusiveSum(report.counts)).toBe(12);

  const res = await t.http.get(importsPath(network, `/${report.id}/errors`)).set(await t.authHeader([network]));
  const errors = (res.body.items as { line: number; error: string }[]).map((e) => [e.line, /already appears on line (\d+)/.exec(e.error)?.[1] ?? 'invalid']);
  expect(errors).toEqual([
    [4, '2'],
    [8, '6'],
    [9, '3'],
    [11, '10'],
    [12, 'invalid'],
    [13, '7'],
  ]);
  const users = await usersOf(t, network);
  expect([...users.keys()].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f'].map((x) => `${x}@acme.example`));
  expect(users.get('d@acme.example')!.name).toBe('D');

  const [{ kept }] = await t.runtime.dataSource.query(`SELECT count(*)::int AS kept FROM import_spilled_emails WHERE import_id = $1`, [report.id]);
  expect(kept).toBe(0);
});

it('an attempt after a crash finds the keys the one before recorded, with their lines', async () => {
  const spilled = new PostgresSpilledEmails(t.runtime.dataSource);
  const importId = randomUUID();
  expect(await spilled.firstLines(importId, ['x@acme.example', 'y@acme.example', 'x@acme.example'], [10, 11, 12])).toEqual([10, 11, 10]);
  // The next attempt reads lines 10-12 again, then goes on.
  expect(await spilled.firstLines(importId, ['x@acme.example', 'y@acme.example', 'x@acme.example'], [10, 11, 12])).toEqual([10, 11, 10]);
  expect(await spilled.firstLines(importId, ['z@acme.example', 'y@acme.example'], [13, 14])).toEqual([13, 11]);
  // Another import's keys are its own.
  expect(await spilled.firstLines(randomUUID(), ['y@acme.example'], [20])).toEqual([20]);
  await t.app.get(UnitOfWork).transaction((tx) => spilled.purge(tx, importId));
  expect(await spilled.firstLines(importId, ['y@acme.example'], [30])).toEqual([30]);
  await t.runtime.dataSource.query(`DELETE FROM import_spilled_emails WHERE import_id = $1`, [importId]);
});
