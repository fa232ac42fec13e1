import { DataSource } from 'typeorm';
import { DeliverOutboxMail } from '../../../src/modules/notifications/application/deliver-outbox-mail/deliver-outbox-mail.use-case.js';
import { MailOutboxImportNotifications } from '../../../src/modules/notifications/application/notify-import-finished/mail-outbox-import-notifications.adapter.js';
import { MailTransport } from '../../../src/modules/notifications/application/ports/mail-transport.port.js';
import type { OutgoingMail } from '../../../src/modules/notifications/domain/mail.js';
import type { RetryPolicy } from '../../../src/modules/notifications/domain/retry-policy.js';
import { HandlebarsMailRenderer } from '../../../src/modules/notifications/infrastructure/handlebars-mail-renderer.adapter.js';
import { TypeormMailOutbox } from '../../../src/modules/notifications/infrastructure/typeorm-mail-outbox.adapter.js';
import type { FinishedImportReport, ImportRequester } from '../../../src/modules/imports/application/ports/import-notifications.port.js';
import { TypeormUnitOfWork } from '../../../src/shared/infrastructure/database/typeorm-unit-of-work.adapter.js';
import { openTestDataSource, PUBLIC_BASE_URL } from './support/notifications-test-app.js';
import { aCompletedImportInItsOwnNetwork } from './support/reports.js';
import { RandomIds, TestClock } from './support/test-clock.js';

/** Accepts or refuses on command, and remembers what it was given. */
class ScriptedTransport extends MailTransport {
  readonly sent: OutgoingMail[] = [];
  failWith: Error | undefined;

  async send(mail: OutgoingMail): Promise<void> {
    // A real transport takes a moment; this lets concurrent drains actually overlap.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failWith !== undefined) throw this.failWith;
    this.sent.push(mail);
  }
}

interface OutboxRow {
  id: string;
  kind: string;
  recipient: string;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  sent_at: Date | null;
  subject: string;
}

const policy: RetryPolicy = { baseDelayMs: 60_000, maxDelayMs: 600_000, maxAttempts: 4 };
const ADMIN = 'admin@acme.example';

describe('mail outbox (PostgreSQL)', () => {
  let dataSource: DataSource;
  let unitOfWork: TypeormUnitOfWork;
  let outbox: TypeormMailOutbox;
  let clock: TestClock;
  let transport: ScriptedTransport;
  let notifications: MailOutboxImportNotifications;
  let delivery: DeliverOutboxMail;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    unitOfWork = new TypeormUnitOfWork(dataSource);
    outbox = new TypeormMailOutbox(dataSource, unitOfWork);
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  beforeEach(() => {
    clock = new TestClock(new Date('2026-11-25T08:00:00.000Z'));
    transport = new ScriptedTransport();
    notifications = new MailOutboxImportNotifications(HandlebarsMailRenderer.fromDirectory(), outbox, clock, new RandomIds(), PUBLIC_BASE_URL);
    delivery = new DeliverOutboxMail(outbox, transport, clock, policy);
  });

  async function finish(report: FinishedImportReport, requester: ImportRequester = { email: ADMIN }): Promise<void> {
    await unitOfWork.transaction((tx) => notifications.importFinished(tx, report, requester));
  }

  async function rowsOf(networkId: string): Promise<OutboxRow[]> {
    return dataSource.query<OutboxRow[]>(
      `SELECT id, kind, recipient, status, attempts, next_attempt_at, last_error, sent_at, subject
         FROM mail_outbox WHERE network_id = $1 ORDER BY created_at, id`,
      [networkId],
    );
  }

  it('records the rendered mail in the transaction that finishes the import', async () => {
    const report = aCompletedImportInItsOwnNetwork();
    await finish(report);
    const [row, ...others] = await rowsOf(report.networkId);
    expect(others).toEqual([]);
    expect(row).toMatchObject({ kind: 'import-completed', recipient: ADMIN, status: 'pending', attempts: 0, last_error: null, sent_at: null });
    expect(row?.subject).toBe('User import finished: staff.csv (7 created, 0 updated, 1 rejected)');
    expect(row?.next_attempt_at).toEqual(clock.now());
  });

  it('records nothing when that transaction rolls back', async () => {
    const report = aCompletedImportInItsOwnNetwork();
    await expect(
      unitOfWork.transaction(async (tx) => {
        await notifications.importFinished(tx, report, { email: ADMIN });
        throw new Error('the import could not be completed');
      }),
    ).rejects.toThrow('the import could not be completed');
    expect(await rowsOf(report.networkId)).toEqual([]);
  });

  it('records one mail when the same import is reported twice', async () => {
    const report = aCompletedImportInItsOwnNetwork();
    await finish(report);
    await finish(report);
    expect(await rowsOf(report.networkId)).toHaveLength(1);
  });

  it('records nothing for a dry run or without a recipient', async () => {
    const dryRun = aCompletedImportInItsOwnNetwork({ dryRun: true });
    const nobody = aCompletedImportInItsOwnNetwork();
    await finish(dryRun);
    await finish(nobody, {});
    expect(await rowsOf(dryRun.networkId)).toEqual([]);
    expect(await rowsOf(nobody.networkId)).toEqual([]);
  });

  it('records the failure mail for a failed import', async () => {
    const report = aCompletedImportInItsOwnNetwork({ status: 'failed', failureReason: 'The file is not a CSV file.' });
    await finish(report);
    expect(await rowsOf(report.networkId)).toMatchObject([{ kind: 'import-failed', subject: 'User import failed: staff.csv' }]);
  });

  it('sends a due mail once, records it as sent, and a later drain sends nothing', async () => {
    const report = aCompletedImportInItsOwnNetwork();
    await finish(report);
    clock.advance(1_000);

    expect(await delivery.drain({ networkId: report.networkId }, 10)).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(transport.sent.map((m) => [m.to, m.kind])).toEqual([[ADMIN, 'import-completed']]);
    expect(await rowsOf(report.networkId)).toMatchObject([{ status: 'sent', attempts: 1, sent_at: clock.now() }]);

    expect(await delivery.drain({ networkId: report.networkId }, 10)).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(transport.sent).toHaveLength(1);
  });

  it('keeps a mail the transport refused, backs off, and sends it when it is due again', async () => {
    const report = aCompletedImportInItsOwnNetwork();
    await finish(report);
    transport.failWith = new Error('connect ECONNREFUSED 127.0.0.1:25');

    expect(await delivery.drain({ networkId: report.networkId }, 10)).toEqual({ sent: 0, retrying: 1, failed: 0 });
    const [afterFirst] = await rowsOf(report.networkId);
    expect(afterFirst).toMatchObject({ status: 'pending', attempts: 1, last_error: 'Error: connect ECONNREFUSED 127.0.0.1:25' });
    expect(afterFirst?.next_attempt_at).toEqual(new Date(clock.now().getTime() + 60_000));

    clock.advance(60_000);
    await delivery.drain({ networkId: report.networkId }, 10);
    const [afterSecond] = await rowsOf(report.networkId);
    expect(afterSecond).toMatchObject({ status: 'pending', attempts: 2 });
    expect(afterSecond?.next_attempt_at).toEqual(new Date(clock.now().getTime() + 120_000));

    transport.failWith = undefined;
    clock.advance(119_999);
    expect(await delivery.drain({ networkId: report.networkId }, 10)).toEqual({ sent: 0, retrying: 0, failed: 0 });
    clock.advance(1);
    expect(await delivery.drain({ networkId: report.networkId }, 10)).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(await rowsOf(report.networkId)).toMatchObject([{ status: 'sent', attempts: 3, last_error: null }]);
    expect(transport.sent).toHaveLength(1);
  });

  it('marks a mail failed after the last allowed attempt and leaves it in the outbox', async () => {
    const report = aCompletedImportInItsOwnNetwork();
    await finish(report);
    transport.failWith = new Error('550 mailbox unavailable');
    const outcomes = [];
    for (let i = 0; i < policy.maxAttempts; i += 1) {
      outcomes.push(await delivery.drain({ networkId: report.networkId }, 10));
      clock.advance(policy.maxDelayMs);
    }
    expect(outcomes.map((o) => o.failed)).toEqual([0, 0, 0, 1]);
    expect(await rowsOf(report.networkId)).toMatchObject([{ status: 'failed', attempts: 4, last_error: 'Error: 550 mailbox unavailable', sent_at: null }]);

    transport.failWith = undefined;
    clock.advance(24 * 3_600_000);
    expect(await delivery.drain({ networkId: report.networkId }, 10)).toEqual({ sent: 0, retrying: 0, failed: 0 });
  });

  it('lets several workers drain at once without sending any mail twice', async () => {
    const networkId = `net-${crypto.randomUUID()}`;
    const reports = Array.from({ length: 12 }, () => aCompletedImportInItsOwnNetwork({ networkId }));
    for (const report of reports) await finish(report);

    const workers = [1, 2, 3].map(() => new DeliverOutboxMail(outbox, transport, clock, policy));
    const summaries = await Promise.all(workers.map((w) => w.drain({ networkId }, 100)));

    expect(summaries.reduce((n, s) => n + s.sent, 0)).toBe(12);
    const sentIds = transport.sent.map((m) => m.id);
    expect(new Set(sentIds).size).toBe(12);
    expect(sentIds).toHaveLength(12);
    expect((await rowsOf(networkId)).every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
  });

  it('drains only the network it was asked to', async () => {
    const mine = aCompletedImportInItsOwnNetwork();
    const theirs = aCompletedImportInItsOwnNetwork();
    await finish(mine);
    await finish(theirs);
    await delivery.drain({ networkId: mine.networkId }, 10);
    expect(await rowsOf(mine.networkId)).toMatchObject([{ status: 'sent' }]);
    expect(await rowsOf(theirs.networkId)).toMatchObject([{ status: 'pending' }]);
  });
});
