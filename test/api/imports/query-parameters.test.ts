import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { csv, getImport, importsPath, upload, usersOf } from '../../support/imports.js';
import { expectProblem } from '../../support/users-api.js';

// Only the list routes refused unknown query parameters; the others ignored them, and an upload with ?dryRun=true
// (a form field put in the query) imported for real, in skip mode.
describe('a query parameter a route does not take is a 400 naming it, never ignored', () => {
  let t: TestApp;
  let network: string;
  let auth: { Authorization: string };
  let queued: string;

  beforeAll(async () => {
    // No worker: the import stays queued, so a cancel that was not refused would show.
    t = await startTestApp({ IMPORT_WORKER_ENABLED: 'false' });
    network = uniqueNetworkId('qry');
    auth = await t.authHeader([network]);
    const res = await upload(t, network, csv('email/login,name', 'a@acme.example,A'));
    expect(res.status).toBe(202);
    queued = res.body.id;
  });
  afterAll(async () => {
    // Not left queued: another suite's worker would take it up (and delete its file while that suite counts files).
    await t.http.post(importsPath(network, `/${queued}/cancel`)).set(auth).expect(200);
    await t.close();
  });

  it.each([
    ['mode=update', 'mode'],
    ['dryRun=true', 'dryRun'],
    ['autoSendInvites=true', 'autoSendInvites'],
    ['x', 'x'],
  ])('an upload with ?%s → 400 on %s, nothing queued (the form\'s fields go in the form)', async (query, field) => {
    const other = uniqueNetworkId('qry');
    const otherAuth = await t.authHeader([other]);
    const res = await t.http.post(`${importsPath(other)}?${query}`).set(otherAuth).attach('file', Buffer.from(csv('email/login,name', 'b@acme.example,B')), 'users.csv');
    expect(expectProblem(res, 400, field).detail).toBe(`${field}: is not a field of this request, which takes no query parameters`);
    expect((await t.http.get(importsPath(other)).set(otherAuth)).body.items).toEqual([]);
    expect(await usersOf(t, other)).toEqual(new Map());
  });

  it.each([
    ['get import', 'get', '', 'x=1'],
    ['invitations', 'post', '/invitations', 'x=1'],
    ['rejected lines as JSON', 'get', '/errors', 'afterLine=3'],
  ] as const)('%s with an unknown parameter → 400 naming it', async (_label, method, suffix, query) => {
    const res = await t.http[method](`${importsPath(network, `/${queued}${suffix}`)}?${query}`).set(auth);
    expectProblem(res, 400, query.split('=')[0]);
  });

  it('the rejected lines as CSV with an unknown parameter → 400 too (the CSV branch read no query at all)', async () => {
    const res = await t.http.get(`${importsPath(network, `/${queued}/errors`)}?x=1`).set(auth).set('Accept', 'text/csv');
    expectProblem(res, 400, 'x');
  });

  it('cancel?x=1 → 400, and the import is not cancelled', async () => {
    expectProblem(await t.http.post(`${importsPath(network, `/${queued}/cancel`)}?x=1`).set(auth), 400, 'x');
    expect((await getImport(t, network, queued)).status).toBe('queued');
  });
});
