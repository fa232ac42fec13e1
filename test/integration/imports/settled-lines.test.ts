/**
 * SettledLines in PostgreSQL against the domain: a line is settled in update mode exactly when the user decider
 * would answer it with no event and the import would note nothing about its manager; in skip mode, exactly when
 * its user exists. Random lines over users in every state (blank and set fields, both states, with and without a
 * manager, names that need quoting), named managers known, unknown, the current one or the user themselves.
 */
import type { ExistingUser } from '../../../src/modules/users/domain/user.decider.js';
import { decideImportRow } from '../../../src/modules/imports/domain/import-row-decision.js';
import type { LineProbe } from '../../../src/modules/imports/application/ports/settled-lines.port.js';
import { PostgresSettledLines } from '../../../src/modules/imports/infrastructure/persistence/postgres-settled-lines.adapter.js';
import { TypeormUserReadModel } from '../../../src/modules/users/infrastructure/persistence/typeorm-user-read-model.adapter.js';
import { BulkLoader } from '../../../src/shared/infrastructure/database/bulk-loader.js';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { createUserOverHttp, usersPath } from '../../support/users-api.js';

let t: TestApp;
const network = uniqueNetworkId('settle');
const USERS = 12;
const emailOf = (i: number) => `u${i}@acme.example`;

beforeAll(async () => {
  t = await startTestApp();
  const auth = await t.authHeader([network]);
  const ids: string[] = [];
  for (let i = 0; i < USERS; i++) {
    // Names that an array or a JSON parameter must carry intact: the word NULL, quotes, braces, commas, a backslash.
    const name = i % 4 === 1 ? 'NULL' : i % 4 === 3 ? `Ann "Q" {${i}}, \\ back` : `User ${i}`;
    const body: Record<string, unknown> = { email: emailOf(i), name };
    if (i % 2 === 0) Object.assign(body, { firstName: `F${i}`, title: `T${i}` });
    if (i % 3 === 0) body.mobile = `+44 7911 ${100000 + i}`;
    if (i > 0 && i % 4 !== 0) body.managerId = ids[(i * 7) % i];
    ids.push((await createUserOverHttp(t, network, body)).id);
    if (i % 5 === 1) await t.http.post(usersPath(network, `/${ids[i]}/deactivate`)).set(auth).expect(200);
  }
});
afterAll(() => t.close());

describe('SettledLines (PostgreSQL) agrees with the user decider', () => {
  it('update mode: settled exactly when no event and no manager note would come of the line; skip mode: when the user exists', async () => {
    const users = await new TypeormUserReadModel(t.runtime.dataSource, new BulkLoader(t.runtime.dataSource, true)).findByEmailKeys(
      network,
      Array.from({ length: USERS }, (_, i) => emailOf(i)),
    );
    const settledLines = new PostgresSettledLines(t.runtime.dataSource);
    let seed = 11;
    const pick = <T>(options: T[]): T => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return options[seed % options.length];
    };
    const probes: LineProbe[] = [];
    for (let at = 0; at < 3_000; at++) {
      const i = pick([...Array.from({ length: USERS }, (_, k) => k), USERS + 1]);
      const user = users.get(emailOf(i));
      const same = <K extends keyof ExistingUser>(key: K) => (user?.[key] ?? undefined) as string | undefined;
      probes.push({
        at,
        emailKey: emailOf(i),
        name: pick([undefined, same('name'), 'Someone Else']),
        firstName: pick([undefined, same('firstName'), 'Other']),
        lastName: pick([undefined, same('lastName'), 'Other']),
        title: pick([undefined, same('title'), 'Other']),
        mobile: pick([undefined, same('mobile'), '+447911999999']),
        managerKey: pick([undefined, user?.managerEmail ?? undefined, emailOf((i + 1) % USERS), emailOf(i), 'ghost@acme.example']),
        enabled: pick([null, true, false]),
      });
    }
    const { lines: settled, enabledIgnored: none } = await settledLines.settle(network, 'update', probes);
    expect(none).toBe(0);
    const now = new Date();
    const expected = new Set<number>();
    for (const p of probes) {
      const current = users.get(p.emailKey);
      if (!current) continue;
      const known = p.managerKey === undefined ? undefined : users.get(p.managerKey);
      const self = p.managerKey === p.emailKey;
      const waits = p.managerKey !== undefined && !self && (!known || known.userId !== current.managerId);
      const outcome = decideImportRow({ line: p.at + 2, email: p.emailKey, ...p }, current, { mode: 'update', autoSendInvites: false, importId: 'i', networkId: network, now });
      if (outcome.kind === 'unchanged' && !self && !waits && (p.managerKey === undefined || known !== undefined)) expected.add(p.at);
    }
    expect([...settled].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
    // The mix covers both answers many times over.
    expect(expected.size).toBeGreaterThan(50);
    expect(probes.length - expected.size).toBeGreaterThan(50);

    const skipped = await settledLines.settle(network, 'skip', probes);
    const existing = probes.filter((p) => users.has(p.emailKey));
    expect([...skipped.lines].sort((a, b) => a - b)).toEqual(existing.map((p) => p.at));
    const wouldChange = existing.filter((p) => p.enabled !== null && p.enabled !== (users.get(p.emailKey)!.status === 'active'));
    expect(wouldChange.length).toBeGreaterThan(10);
    expect(skipped.enabledIgnored).toBe(wouldChange.length);
  });
});
