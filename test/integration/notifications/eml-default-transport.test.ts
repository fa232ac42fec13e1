import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { DataSource } from 'typeorm';
import { ImportNotifications } from '../../../src/modules/imports/application/ports/import-notifications.port.js';
import { MailTransport } from '../../../src/modules/notifications/application/ports/mail-transport.port.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/modules/notifications/domain/retry-policy.js';
import { EmlFileMailTransport } from '../../../src/modules/notifications/infrastructure/eml-file-mail-transport.adapter.js';
import {
  DEFAULT_MAIL_OUTBOX_WORKER_OPTIONS,
  MAIL_OUTBOX_WORKER_OPTIONS,
  MailOutboxWorker,
} from '../../../src/modules/notifications/infrastructure/mail-outbox.worker.js';
import { MAIL_RETRY_POLICY } from '../../../src/modules/notifications/notifications.module.js';
import { UnitOfWork } from '../../../src/shared/application/ports/unit-of-work.port.js';
import { openTestDataSource, PUBLIC_BASE_URL, startNotificationsTestApp } from './support/notifications-test-app.js';
import { aCompletedImportInItsOwnNetwork } from './support/reports.js';
import { TestClock } from './support/test-clock.js';

describe('NotificationsModule without SMTP_URL', () => {
  let dataSource: DataSource;
  let dataDir: string;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    dataDir = await mkdtemp(join(tmpdir(), 'ocu-data-'));
  });

  afterAll(async () => {
    await dataSource.destroy();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes each mail as an .eml file under DATA_DIR/mail', async () => {
    const app = await startNotificationsTestApp({ dataSource, dataDir, clock: new TestClock(new Date('2026-11-25T08:00:00.000Z')) });
    try {
      expect(app.module.get(MailTransport)).toBeInstanceOf(EmlFileMailTransport);
      const report = aCompletedImportInItsOwnNetwork();
      await app.module.get(UnitOfWork).transaction((tx) =>
        app.module.get(ImportNotifications).importFinished(tx, report, { email: 'admin@acme.example' }),
      );
      expect(await app.module.get(MailOutboxWorker).drainOnce({ networkId: report.networkId })).toEqual({ sent: 1, retrying: 0, failed: 0 });

      const files = await readdir(join(dataDir, 'mail'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^import-completed-[0-9a-f-]{36}\.eml$/);
      const parsed = await simpleParser(await readFile(join(dataDir, 'mail', files[0] ?? '')));
      expect(parsed.subject).toBe('User import finished: staff.csv (7 created, 0 updated, 1 rejected)');
      expect(parsed.text).toContain(`${PUBLIC_BASE_URL}/admin/#/imports/${report.id}/invite`);
      expect(parsed.html).toContain(`${PUBLIC_BASE_URL}/admin/#/imports/${report.id}/invite`);
    } finally {
      await app.module.close();
    }
  });

  it('takes the worker and retry settings given to forRoot over the defaults', async () => {
    const app = await startNotificationsTestApp({
      dataSource,
      dataDir,
      clock: new TestClock(new Date('2026-11-25T08:00:00.000Z')),
      notifications: { worker: { batchSize: 7 }, retry: { maxAttempts: 3 } },
    });
    try {
      expect(app.module.get(MAIL_OUTBOX_WORKER_OPTIONS)).toEqual({ ...DEFAULT_MAIL_OUTBOX_WORKER_OPTIONS, enabled: false, batchSize: 7 });
      expect(app.module.get(MAIL_RETRY_POLICY)).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 3 });
    } finally {
      await app.module.close();
    }
  });
});
