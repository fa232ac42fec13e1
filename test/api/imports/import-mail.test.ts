/**
 * Step 7 of the guide through the whole service: an import completes while the SMTP server is down; the admin's
 * mail waits in the outbox and arrives exactly once when the server is back, with the counts and the invite link.
 */
import { MailOutboxWorker } from '../../../src/modules/notifications/infrastructure/mail-outbox.worker.js';
import { SmtpSink } from '../../integration/notifications/support/smtp-sink.js';
import { waitFor } from '../../integration/notifications/support/wait-for.js';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { csv, importCsv } from '../../support/imports.js';

const ADMIN = 'admin@acme.example';
let t: TestApp;
const smtp = new SmtpSink();

beforeAll(async () => {
  await smtp.start();
  await smtp.stop();
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true', SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'https://chat.example.com' });
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

it('mails the admin once, after SMTP comes back, with the counts and the link to invite the imported users', async () => {
  const network = uniqueNetworkId('mail');
  const file = csv('email/login,name,Enabled', 'ann@acme.example,Ann Lee,TRUE', 'bob@acme.example,Bob Ray,', 'not-an-email,Nobody,');
  const upload = await t.http
    .post(`/api/v1/networks/${network}/imports`)
    .set(await t.authHeader([network], ADMIN))
    .attach('file', Buffer.from(file), 'staff.csv');
  expect(upload.status).toBe(202);
  const report = await waitFor(async () => {
    const res = await t.http.get(`/api/v1/networks/${network}/imports/${upload.body.id}`).set(await t.authHeader([network], ADMIN));
    return res.body.status === 'completed' ? res.body : undefined;
  }, 30_000, 'the import to complete');
  expect(report.counts).toMatchObject({ created: 2, rejected: 1 });

  const worker = t.app.get(MailOutboxWorker);
  const down = await worker.drainOnce({ networkId: network });
  expect(down.sent).toBe(0);
  expect(smtp.received).toHaveLength(0);

  await smtp.start();
  // The retry's back-off (30 s) stands for time passing; bring the attempt forward instead of waiting for it.
  await t.runtime.dataSource.query(`UPDATE mail_outbox SET next_attempt_at = now() WHERE network_id = $1`, [network]);
  await waitFor(async () => {
    await worker.drainOnce({ networkId: network });
    return smtp.received.length > 0 ? true : undefined;
  }, 20_000, 'the mail to arrive');
  expect(await worker.drainOnce({ networkId: network })).toMatchObject({ sent: 0 });

  expect(smtp.received).toHaveLength(1);
  const mail = smtp.received[0];
  expect(mail.envelopeTo).toEqual([ADMIN]);
  expect(mail.parsed.subject).toContain('staff.csv');
  const text = mail.parsed.text ?? '';
  expect(text).toContain(`https://chat.example.com/admin/#/imports/${report.id}/invite`);
  expect(text).toContain(`/api/v1/networks/${network}/imports/${report.id}/invitations`);
  expect(text).toMatch(/Created\s+2/);
  expect(text).toMatch(/Rejected\s+1/);
  expect(String(mail.parsed.html)).toContain(`/admin/#/imports/${report.id}/invite`);
});
