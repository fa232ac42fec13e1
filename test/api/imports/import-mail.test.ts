/**
 * Step 7 of the guide through the whole service: an import completes while the SMTP server is down; the admin's
 * mail waits in the outbox and arrives exactly once when the server is back, with the counts and the invite link.
 */
import { MailOutboxWorker } from '../../../src/modules/notifications/infrastructure/mail-outbox.worker.js';
import { MAX_WARNINGS_IN_MAIL } from '../../../src/modules/notifications/domain/import-mail.js';
import { type ReceivedMail, SmtpSink } from '../../integration/notifications/support/smtp-sink.js';
import { waitFor } from '../../integration/notifications/support/wait-for.js';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { csv, type ImportReportBody, upload, waitForImport } from '../../support/imports.js';

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
  // The app's own background worker drains every network, other test files' mail included: count only this one's.
  const ours = () => smtp.matching((m) => m.parsed.text?.includes(report.id) ?? false);
  const down = await worker.drainOnce({ networkId: network });
  expect(down.sent).toBe(0);
  expect(ours()).toHaveLength(0);

  await smtp.start();
  // The retry's back-off (30 s) stands for time passing; bring the attempt forward instead of waiting for it.
  await t.runtime.dataSource.query(`UPDATE mail_outbox SET next_attempt_at = now() WHERE network_id = $1`, [network]);
  await waitFor(async () => {
    await worker.drainOnce({ networkId: network });
    return ours().length > 0 ? true : undefined;
  }, 20_000, 'the mail to arrive');
  expect(await worker.drainOnce({ networkId: network })).toMatchObject({ sent: 0 });

  expect(ours()).toHaveLength(1);
  const [mail] = ours();
  expect(mail.envelopeTo).toEqual([ADMIN]);
  expect(mail.parsed.subject).toContain('staff.csv');
  const text = mail.parsed.text ?? '';
  expect(text).toContain(`https://chat.example.com/admin/#/imports/${report.id}/invite`);
  expect(text).toContain(`/api/v1/networks/${network}/imports/${report.id}/invitations`);
  expect(text).toMatch(/Created\s+2/);
  expect(text).toMatch(/Rejected\s+1/);
  expect(String(mail.parsed.html)).toContain(`/admin/#/imports/${report.id}/invite`);
});

describe('the mail of an import, as the admin receives it', () => {
  beforeAll(async () => {
    if (!smtp.running) await smtp.start();
  });

  /** Uploads as the admin `admin@<network>.example`, waits for the import's end and for its one mail. */
  async function importAndReceive(
    content: string,
    options: { fileName?: string; fields?: Record<string, string> } = {},
  ): Promise<{ report: ImportReportBody; mail: ReceivedMail; admin: string }> {
    const network = uniqueNetworkId('mail');
    const admin = `admin@${network}.example`;
    const res = await upload(t, network, content, options.fields ?? {}, {
      fileName: options.fileName ?? 'staff.csv',
      auth: await t.authHeader([network], admin),
    });
    expect(res.status).toBe(202);
    const report = await waitForImport(t, network, res.body.id);
    const worker = t.app.get(MailOutboxWorker);
    const mail = await waitFor(async () => {
      await worker.drainOnce({ networkId: network });
      return smtp.matching((m) => m.envelopeTo.includes(admin))[0];
    }, 20_000, 'the mail');
    return { report, mail, admin };
  }

  function htmlOf(mail: ReceivedMail): string {
    return typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
  }

  it('counts every warning the import gave, not only the 1,000 the report keeps', async () => {
    const rows = Array.from({ length: 1_100 }, (_, i) => `u${i}@acme.example,User ${i},boss${i}@nowhere.example`);
    const { report, mail } = await importAndReceive(csv('email/login,name,manager', ...rows));
    expect(report.counts.created).toBe(1_100);
    const text = mail.parsed.text ?? '';
    expect(text.match(/^ {2}- Line \d+: manager /gm)).toHaveLength(MAX_WARNINGS_IN_MAIL);
    expect(text).toContain(`  ... and 1,080 more warnings on the import page.\n`);
    expect(htmlOf(mail)).toMatch(/… and 1,080 more warnings on the <a href="[^"]*\/admin\/#\/imports\/[^"]+"[^>]*>import page<\/a>\./);
    expect(htmlOf(mail)).toContain(`/admin/#/imports/${report.id}"`);
  });

  it('keeps a file name with accents, emoji, quotes, markup and a line break readable, encoded and harmless', async () => {
    const sent = 'Équipe "R&D" <b>😀\r\nBcc: victim@evil.example ' + 'x'.repeat(150) + '.csv';
    const { report, mail, admin } = await importAndReceive(csv('email/login,name', 'ann@acme.example,Ann Lee'), { fileName: sent });
    expect(report.fileName.startsWith('Équipe "R&D" <b>😀 Bcc: victim@evil.example xxx')).toBe(true);
    expect(report.fileName.endsWith('….csv')).toBe(true);

    const raw = mail.parsed.headerLines.map((h) => h.line).join('\r\n');
    // RFC 2047: the subject travels as ASCII encoded-words, and nothing from the name becomes a header of its own.
    expect(raw).toMatch(/^Subject: =\?UTF-8\?[QB]\?/m);
    expect(raw).not.toMatch(/[^\x00-\x7f]/);
    expect(mail.parsed.headers.has('bcc')).toBe(false);
    expect(mail.envelopeTo).toEqual([admin]);
    const subject = mail.parsed.subject ?? '';
    expect(subject).toBe('User import finished: Équipe "R&D" <b>😀 Bcc: victim@evil.….csv (1 created, 0 updated, 0 rejected)');

    expect(mail.parsed.text).toContain(`File:            ${report.fileName}\n`);
    expect(htmlOf(mail)).toContain('<strong>Équipe &quot;R&amp;D&quot; &lt;b&gt;😀 Bcc: victim@evil.example x');
    expect(htmlOf(mail)).not.toContain('<b>');
  });
});

it('GET /metrics shows the outbox by status, the oldest waiting mail and the delivery attempts by outcome', async () => {
  // The background workers (mail, and imports that end and record their mail) change the outbox between a scrape
  // and a count: they are compared until two of them were taken with nothing changing in between.
  await t.app.get(MailOutboxWorker).stop();
  const countsByStatus = async () => {
    const rows = await t.runtime.dataSource.query<{ status: string; count: number }[]>(`SELECT status, count(*)::int AS count FROM mail_outbox GROUP BY status`);
    return ['pending', 'sent', 'failed'].map((status) => rows.find((r) => r.status === status)?.count ?? 0);
  };
  let text = '';
  const value = (series: string): number => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const scraped = () => ['pending', 'sent', 'failed'].map((status) => value(`mail_outbox_messages{status="${status}"}`));
  let counted: number[] = [];
  await waitFor(async () => {
    const before = await countsByStatus();
    text = (await t.http.get('/metrics').expect(200)).text;
    counted = await countsByStatus();
    return before.join() === counted.join() && scraped().join() === counted.join() ? true : undefined;
  }, 10_000, 'the outbox metrics to agree with the table');
  expect(counted[1]).toBeGreaterThan(0);
  // The first test's attempt while SMTP was down, then its delivery: both counted by this instance.
  expect(value('mail_deliveries_total{outcome="retrying"}')).toBeGreaterThan(0);
  expect(value('mail_deliveries_total{outcome="sent"}')).toBeGreaterThan(0);
  expect(value('mail_outbox_oldest_pending_seconds')).toBeGreaterThanOrEqual(0);
});
