/**
 * Excel for Mac saves "Comma Separated Values" in Mac Roman with CR line breaks: the accents arrive as the admin
 * typed them, not as the Windows-1252 symbols the same bytes would be ("JosŽ Nœ–ez").
 */
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { createUserOverHttp } from '../../support/users-api.js';
import { fixture, importCsv, usersOf } from '../../support/imports.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true' });
});
afterAll(() => t.close());

it('mac-roman.csv: names arrive accented in the read model, the last line too although it reads plausibly either way', async () => {
  const network = uniqueNetworkId('mac');
  await createUserOverHttp(t, network, { email: 'jose.nunez@example.com', name: 'Placeholder' });
  const report = await importCsv(t, network, fixture('mac-roman.csv'), { mode: 'update' }, 'mac-roman.csv');
  expect(report.counts).toMatchObject({ rows: 3, created: 2, updated: 1, deactivated: 1, rejected: 0 });
  const users = await usersOf(t, network);
  expect(users.get('renee.muller@example.com')).toMatchObject({ name: 'Renée Müller', firstName: 'Renée', lastName: 'Müller', title: 'Señora Directora' });
  expect(users.get('jose.nunez@example.com')).toMatchObject({ name: 'José Núñez', firstName: 'José', lastName: 'Núñez', status: 'deactivated' });
  expect(users.get('jorg.oberg@example.com')).toMatchObject({ name: 'Jörg Öberg', firstName: 'Jörg', lastName: 'Öberg', title: 'Ingenieur' });
});
