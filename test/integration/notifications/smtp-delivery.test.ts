import type { AddressObject } from 'mailparser';
import { DataSource } from 'typeorm';
import { type FinishedImportReport, ImportNotifications, type ImportRequester } from '../../../src/modules/imports/application/ports/import-notifications.port.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/modules/notifications/domain/retry-policy.js';
import { MailOutboxWorker } from '../../../src/modules/notifications/infrastructure/mail-outbox.worker.js';
import { UnitOfWork } from '../../../src/shared/application/ports/unit-of-work.port.js';
import { type NotificationsTestApp, openTestDataSource, PUBLIC_BASE_URL, startNotificationsTestApp } from './support/notifications-test-app.js';
import { aCompletedImportInItsOwnNetwork } from './support/reports.js';
import { type ReceivedMail, SmtpSink } from './support/smtp-sink.js';
import { TestClock } from './support/test-clock.js';
import { waitFor } from './support/wait-for.js';

const ADMIN = 'network-admin@acme.example';

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

describe('import e-mails over SMTP', () => {
  let dataSource: DataSource;
  let smtp: SmtpSink;
  let clock: TestClock;
  let app: NotificationsTestApp;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    smtp = new SmtpSink();
    await smtp.start();
    clock = new TestClock(new Date('2026-11-25T08:00:00.000Z'));
    app = await startNotificationsTestApp({ dataSource, clock, smtpUrl: smtp.url });
  });

  afterAll(async () => {
    await app.module.close();
    await smtp.stop();
    await dataSource.destroy();
  });

  async function finish(report: FinishedImportReport, requester: ImportRequester = { email: ADMIN }): Promise<void> {
    const notifications = app.module.get(ImportNotifications);
    await app.module.get(UnitOfWork).transaction((tx) => notifications.importFinished(tx, report, requester));
  }

  function mailsAbout(report: FinishedImportReport): ReceivedMail[] {
    return smtp.matching((m) => m.parsed.text?.includes(report.id) ?? false);
  }

  it('delivers the completed-import mail to the admin, with both parts and the invite link', async () => {
    const report = aCompletedImportInItsOwnNetwork({ fileName: 'R&D <team>.csv' });
    await finish(report);
    await app.module.get(MailOutboxWorker).drainOnce({ networkId: report.networkId });

    const [mail] = await waitFor(() => (mailsAbout(report).length > 0 ? mailsAbout(report) : undefined), 10_000, 'the mail');
    const invitePage = `${PUBLIC_BASE_URL}/admin/#/imports/${report.id}/invite`;
    const invitationsApi = `${PUBLIC_BASE_URL}/api/v1/networks/${report.networkId}/imports/${report.id}/invitations`;

    expect(mail?.envelopeTo).toEqual([ADMIN]);
    expect(mail?.envelopeFrom).toBe('no-reply@chat.example.com');
    expect(addresses(mail?.parsed.to)).toEqual([ADMIN]);
    expect(mail?.parsed.from?.value).toEqual([{ name: 'Office Chat', address: 'no-reply@chat.example.com' }]);
    expect(mail?.parsed.subject).toBe('User import finished: R&D <team>.csv (7 created, 0 updated, 1 rejected)');
    expect(mail?.parsed.headers.get('auto-submitted')).toBe('auto-generated');

    const text = mail?.parsed.text ?? '';
    expect(text).toContain('"R&D <team>.csv"');
    expect(text).toMatch(/^ {2}Created +7$/m);
    expect(text).toMatch(/^ {2}Rejected +1$/m);
    expect(text).toContain('Row 4: the mobile number (+91)12 is too short and was left empty');
    expect(text).toContain(`  ${invitePage}\n`);
    expect(text).toContain(`POST ${invitationsApi}`);

    const html = typeof mail?.parsed.html === 'string' ? mail.parsed.html : '';
    expect(html).toContain('<strong>R&amp;D &lt;team&gt;.csv</strong>');
    expect(html).toContain(`href="${invitePage}"`);
    expect(html).toContain(`/api/v1/networks/${report.networkId}/imports/${report.id}/errors`);
  });

  it('delivers the failed-import mail with the reason', async () => {
    const report = aCompletedImportInItsOwnNetwork({ status: 'failed', failureReason: 'The file is empty.' });
    await finish(report);
    await app.module.get(MailOutboxWorker).drainOnce({ networkId: report.networkId });

    const [mail] = await waitFor(() => (mailsAbout(report).length > 0 ? mailsAbout(report) : undefined), 10_000, 'the mail');
    expect(mail?.envelopeTo).toEqual([ADMIN]);
    expect(mail?.parsed.subject).toBe('User import failed: staff.csv');
    expect(mail?.parsed.text).toContain('WHY\nThe file is empty.\n');
    expect(mail?.parsed.html).toContain('The file is empty.');
  });

  it('sends nothing for a dry run', async () => {
    const report = aCompletedImportInItsOwnNetwork({ dryRun: true });
    await finish(report);
    expect(await app.module.get(MailOutboxWorker).drainOnce({ networkId: report.networkId })).toEqual({ sent: 0, retrying: 0, failed: 0 });
  });

  it('keeps the mail while SMTP is down and delivers it exactly once when SMTP is back', async () => {
    const worker = app.module.get(MailOutboxWorker);
    const report = aCompletedImportInItsOwnNetwork();
    await smtp.stop();
    try {
      await finish(report);
      expect(await worker.drainOnce({ networkId: report.networkId })).toEqual({ sent: 0, retrying: 1, failed: 0 });
      const [pending] = await dataSource.query<{ status: string; attempts: number; last_error: string }[]>(
        `SELECT status, attempts, last_error FROM mail_outbox WHERE import_id = $1`,
        [report.id],
      );
      expect(pending).toMatchObject({ status: 'pending', attempts: 1 });
      expect(pending?.last_error).toMatch(/ECONNREFUSED/);
      // Not due yet: a drain during the back-off does not even try.
      expect(await worker.drainOnce({ networkId: report.networkId })).toEqual({ sent: 0, retrying: 0, failed: 0 });
    } finally {
      await smtp.start();
    }

    clock.advance(DEFAULT_RETRY_POLICY.baseDelayMs);
    expect(await worker.drainOnce({ networkId: report.networkId })).toEqual({ sent: 1, retrying: 0, failed: 0 });
    await waitFor(() => (mailsAbout(report).length > 0 ? true : undefined), 10_000, 'the mail after SMTP came back');
    expect(mailsAbout(report)).toHaveLength(1);

    expect(await worker.drainOnce({ networkId: report.networkId })).toEqual({ sent: 0, retrying: 0, failed: 0 });
    clock.advance(24 * 3_600_000);
    expect(await worker.drainOnce({ networkId: report.networkId })).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(mailsAbout(report)).toHaveLength(1);
    const [sent] = await dataSource.query<{ status: string; attempts: number; sent_at: Date }[]>(
      `SELECT status, attempts, sent_at FROM mail_outbox WHERE import_id = $1`,
      [report.id],
    );
    expect(sent).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

describe('the background worker', () => {
  it('delivers on its own once the application has started, and stops with it', async () => {
    const dataSource = await openTestDataSource();
    const smtp = new SmtpSink();
    await smtp.start();
    // Earlier than any other test's mail, so this worker, which drains every network, sees only its own.
    const clock = new TestClock(new Date('2001-01-01T00:00:00.000Z'));
    const app = await startNotificationsTestApp({
      dataSource,
      clock,
      smtpUrl: smtp.url,
      notifications: { worker: { enabled: true, intervalMs: 25 } },
    });
    try {
      const report = aCompletedImportInItsOwnNetwork();
      await app.module.get(UnitOfWork).transaction((tx) => app.module.get(ImportNotifications).importFinished(tx, report, { email: ADMIN }));
      const mail = await waitFor(() => smtp.matching((m) => m.parsed.text?.includes(report.id) ?? false)[0], 10_000, 'the worker to send');
      expect(mail.envelopeTo).toEqual([ADMIN]);
    } finally {
      await app.module.close();
      await smtp.stop();
      await dataSource.destroy();
    }
  });
});
