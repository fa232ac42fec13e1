import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type FinishedImportReport, ImportNotifications } from '../../../src/modules/imports/application/ports/import-notifications.port.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/modules/notifications/domain/retry-policy.js';
import { MailOutboxWorker } from '../../../src/modules/notifications/infrastructure/mail-outbox.worker.js';
import { UnitOfWork } from '../../../src/shared/application/ports/unit-of-work.port.js';
import { type NotificationsTestApp, openTestDataSource, PUBLIC_BASE_URL, startNotificationsTestApp } from './support/notifications-test-app.js';
import { aCompletedImportInItsOwnNetwork } from './support/reports.js';
import { SmtpSink } from './support/smtp-sink.js';
import { TestClock } from './support/test-clock.js';
import { waitFor } from './support/wait-for.js';

interface OutboxRow {
  status: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
}

/**
 * What the outbox does with the SMTP server's answer. RFC 5321: a 5xx reply to RCPT TO or DATA is permanent
 * (the same message to the same address will be refused again), a 4xx reply is temporary.
 */
describe('an SMTP server that refuses the admin address', () => {
  let dataSource: DataSource;
  let smtp: SmtpSink;
  let clock: TestClock;
  let app: NotificationsTestApp;
  let errors: jest.Spied<Logger['error']>;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    smtp = new SmtpSink();
    await smtp.start();
    clock = new TestClock(new Date('2026-11-25T08:00:00.000Z'));
    app = await startNotificationsTestApp({ dataSource, clock, smtpUrl: smtp.url });
  });

  beforeEach(() => {
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await app.module.close();
    await smtp.stop();
    await dataSource.destroy();
  });

  async function finish(report: FinishedImportReport, email: string): Promise<void> {
    const notifications = app.module.get(ImportNotifications);
    await app.module.get(UnitOfWork).transaction((tx) => notifications.importFinished(tx, report, { email }));
  }

  async function rowOf(report: FinishedImportReport): Promise<OutboxRow | undefined> {
    const [row] = await dataSource.query<OutboxRow[]>(
      `SELECT status, attempts, last_error, next_attempt_at FROM mail_outbox WHERE import_id = $1`,
      [report.id],
    );
    return row;
  }

  it('gives up at once on a permanent refusal (550) instead of retrying it for hours, and says so in the error log', async () => {
    const admin = `gone-${crypto.randomUUID()}@acme.example`;
    smtp.refusedRecipients.set(admin, { code: 550, message: '5.1.1 No such user here' });
    const report = aCompletedImportInItsOwnNetwork();
    await finish(report, admin);
    const worker = app.module.get(MailOutboxWorker);

    expect(await worker.drainOnce({ networkId: report.networkId })).toEqual({ sent: 0, retrying: 0, failed: 1 });
    const row = await rowOf(report);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row?.last_error).toContain('550 5.1.1 No such user here');
    const logged = errors.mock.calls.map((call) => String(call[0])).join('\n');
    expect(logged).toContain('550 5.1.1 No such user here');
    expect(logged).toMatch(/refused .*permanently/);

    // However long the outbox waits, the refused mail is not tried again.
    smtp.refusedRecipients.delete(admin);
    clock.advance(DEFAULT_RETRY_POLICY.maxDelayMs * DEFAULT_RETRY_POLICY.maxAttempts);
    expect(await worker.drainOnce({ networkId: report.networkId })).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(smtp.matching((m) => m.envelopeTo.includes(admin))).toEqual([]);
  });

  it('retries a temporary refusal (451) with back-off and delivers the mail once the server takes it', async () => {
    const admin = `greylisted-${crypto.randomUUID()}@acme.example`;
    smtp.refusedRecipients.set(admin, { code: 451, message: '4.7.1 Greylisted, try again later' });
    const report = aCompletedImportInItsOwnNetwork();
    await finish(report, admin);
    const worker = app.module.get(MailOutboxWorker);

    expect(await worker.drainOnce({ networkId: report.networkId })).toEqual({ sent: 0, retrying: 1, failed: 0 });
    const pending = await rowOf(report);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1 });
    expect(pending?.last_error).toContain('451 4.7.1 Greylisted');
    expect(pending?.next_attempt_at).toEqual(new Date(clock.now().getTime() + DEFAULT_RETRY_POLICY.baseDelayMs));
    expect(errors).not.toHaveBeenCalled();

    smtp.refusedRecipients.delete(admin);
    clock.advance(DEFAULT_RETRY_POLICY.baseDelayMs);
    expect(await worker.drainOnce({ networkId: report.networkId })).toEqual({ sent: 1, retrying: 0, failed: 0 });
    const [mail] = await waitFor(() => {
      const arrived = smtp.matching((m) => m.envelopeTo.includes(admin));
      return arrived.length > 0 ? arrived : undefined;
    }, 10_000, 'the mail after the greylisting');
    expect(mail?.parsed.text).toContain(`  ${PUBLIC_BASE_URL}/admin/#/imports/${report.id}/invite\n`);
    expect(await rowOf(report)).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
  });
});
