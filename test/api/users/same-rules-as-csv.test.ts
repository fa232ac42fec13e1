/**
 * An address or a mobile number is accepted by the users API exactly when a CSV import accepts it, and stored
 * the same way: both edges parse with the users' own value objects, and the deployment's DEFAULT_PHONE_REGION
 * reads national numbers in both.
 */
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { importCsv } from '../../support/imports.js';
import { expectProblem, usersPath } from '../../support/users-api.js';

const EMAILS = [
  'will@acme.example',
  'Will.Smith+chat@Acme.Example',
  'josé@exämple.example',
  'a..b@acme.example',
  '.will@acme.example',
  'will@acme',
  'will@@acme.example',
  'will@acme..example',
  'will@-acme.example',
  `${'x'.repeat(65)}@acme.example`,
];

const MOBILES = ['(+91)1234123411', '+44 20 7946 0958', '0044 20 7946 0958', '020 7946 0958', '+1 2', '+999 1234567', '12ab', '+44–20–7946–0958', '+44 7911 12345678901234', '-', 'n/a'];

describe('the users API and the CSV import give the same verdict on the same value', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true', DEFAULT_PHONE_REGION: 'GB' });
  });
  afterAll(() => t.close());

  /** What the API makes of each user: the stored value, or null when it answers 400 naming the field. */
  async function overHttp(network: string, users: Array<{ email: string; mobile?: string }>, field: 'email' | 'mobile') {
    const auth = await t.authHeader([network]);
    const verdicts: Array<string | null> = [];
    for (const user of users) {
      const res = await t.http.post(usersPath(network)).set(auth).send({ name: 'X', ...user });
      if (res.status === 400) {
        expectProblem(res, 400, field);
        verdicts.push(null);
      } else {
        expect(res.status).toBe(201);
        verdicts.push(res.body[field]);
      }
    }
    return verdicts;
  }

  /** What an import makes of the same users: the stored value, or null when it rejects the line. */
  async function overCsv(network: string, users: Array<{ email: string; mobile?: string }>, field: 'email' | 'mobile') {
    const lines = users.map((u) => `${u.email},X,${u.mobile ?? ''}`);
    const report = await importCsv(t, network, ['email/login,name,mobile', ...lines].join('\n') + '\n');
    expect(report.counts.created + report.counts.rejected).toBe(users.length);
    const auth = await t.authHeader([network]);
    const listed = await t.http.get(usersPath(network)).query({ limit: 200 }).set(auth).expect(200);
    const byEmail = new Map<string, Record<string, string>>(listed.body.items.map((u: Record<string, string>) => [u.email.toLowerCase(), u]));
    return users.map((u) => byEmail.get(u.email.toLowerCase())?.[field] ?? null);
  }

  it('e-mail addresses', async () => {
    const users = EMAILS.map((email) => ({ email }));
    const api = await overHttp(uniqueNetworkId('same-email'), users, 'email');
    const csv = await overCsv(uniqueNetworkId('same-email'), users, 'email');
    expect(api).toEqual(csv);
    // Both sides accept some and refuse some: the comparison is not of two empty lists.
    expect(api.filter((v) => v !== null).length).toBeGreaterThanOrEqual(3);
    expect(api.filter((v) => v === null).length).toBeGreaterThanOrEqual(5);
  });

  it('mobile numbers, national ones read in the deployment region', async () => {
    const users = MOBILES.map((mobile, i) => ({ email: `m${i}@acme.example`, mobile }));
    const api = await overHttp(uniqueNetworkId('same-mobile'), users, 'mobile');
    const csv = await overCsv(uniqueNetworkId('same-mobile'), users, 'mobile');
    expect(api).toEqual(csv);
    expect(api).toEqual(['+911234123411', '+442079460958', '+442079460958', '+442079460958', null, null, null, '+442079460958', null, null, null]);
  });

  it.each([
    ['+44 7911 12345678901234', '"+44 7911 12345678901234" is not a valid mobile number (it has too many digits for a +44 number).'],
    ['-', '"-" is not a valid mobile number (it stands for "no number": give no mobile at all when the user has none).'],
  ])('the API gives the CSV import\'s reason for the mobile %j', async (mobile, detail) => {
    const network = uniqueNetworkId('same-mobile');
    const res = await t.http.post(usersPath(network)).set(await t.authHeader([network])).send({ email: 'm@acme.example', name: 'X', mobile });
    expect(expectProblem(res, 400, 'mobile').detail).toContain(detail);
  });
});
