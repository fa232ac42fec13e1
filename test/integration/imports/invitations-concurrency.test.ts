/**
 * Inviting an import's users while admins edit those users: nobody is lost, nobody invited twice, no 500.
 * (The handler used to lock users then insert events while PATCH inserts first: a deadlock.)
 */
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { usersPath } from '../../support/users-api.js';
import { importCsv, importsPath, usersOf } from '../../support/imports.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true' });
});
afterAll(() => t.close());

it('invites every created user exactly once while six writers edit them', async () => {
  const network = uniqueNetworkId('invrace');
  const lines = ['email/login,name'];
  for (let i = 0; i < 2_500; i++) lines.push(`u${i}@race.example,User ${i}`);
  const report = await importCsv(t, network, lines.join('\n'));
  expect(report.counts.created).toBe(2_500);
  const auth = await t.authHeader([network]);
  const ids = [...(await usersOf(t, network)).values()].map((u) => u.id);

  let stop = false;
  const statuses: number[] = [];
  const writer = async (w: number) => {
    for (let i = 0; !stop && i < 200; i++) {
      const id = ids[(w * 397 + i * 13) % ids.length];
      const res = await t.http.patch(usersPath(network, `/${id}`)).set(auth).send({ title: `edit ${w}.${i}` });
      statuses.push(res.status);
    }
  };
  const writers = Array.from({ length: 6 }, (_, w) => writer(w));
  const first = await t.http.post(importsPath(network, `/${report.id}/invitations`)).set(auth);
  stop = true;
  await Promise.all(writers);

  expect(first.status).toBe(200);
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  const second = await t.http.post(importsPath(network, `/${report.id}/invitations`)).set(auth);
  expect(second.status).toBe(200);
  expect(first.body.requested + second.body.requested).toBe(2_500);
  const after = await usersOf(t, network);
  expect([...after.values()].filter((u) => u.invitation !== 'requested')).toEqual([]);
  const third = await t.http.post(importsPath(network, `/${report.id}/invitations`)).set(auth);
  expect(third.body).toEqual({ requested: 0 });
});
