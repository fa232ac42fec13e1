import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { Clock, IdGenerator } from '../../shared/application/ports/clock.port.js';
import { APP_CONFIG, type AppConfig } from '../../shared/infrastructure/config/app-config.js';
import { ImportNotifications } from '../imports/application/ports/import-notifications.port.js';
import { DeliverOutboxMail } from './application/deliver-outbox-mail/deliver-outbox-mail.use-case.js';
import { MailOutboxImportNotifications } from './application/notify-import-finished/mail-outbox-import-notifications.adapter.js';
import { MailOutbox } from './application/ports/mail-outbox.port.js';
import { MailRenderer } from './application/ports/mail-renderer.port.js';
import { MailTransport } from './application/ports/mail-transport.port.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './domain/retry-policy.js';
import { HandlebarsMailRenderer } from './infrastructure/handlebars-mail-renderer.adapter.js';
import {
  DEFAULT_MAIL_OUTBOX_WORKER_OPTIONS,
  MAIL_OUTBOX_WORKER_OPTIONS,
  MailOutboxWorker,
  type MailOutboxWorkerOptions,
} from './infrastructure/mail-outbox.worker.js';
import { MailMetrics } from './infrastructure/mail-metrics.js';
import { createMailTransport } from './infrastructure/mail-transport.factory.js';
import { TypeormMailOutbox } from './infrastructure/typeorm-mail-outbox.adapter.js';

export const MAIL_RETRY_POLICY = Symbol('MAIL_RETRY_POLICY');

export interface NotificationsModuleOptions {
  readonly worker?: Partial<MailOutboxWorkerOptions>;
  readonly retry?: Partial<RetryPolicy>;
}

/** Needs from a global module: DataSource, APP_CONFIG, UnitOfWork, Clock, IdGenerator. */
const providers: Provider[] = [
  { provide: MAIL_OUTBOX_WORKER_OPTIONS, useValue: DEFAULT_MAIL_OUTBOX_WORKER_OPTIONS },
  { provide: MAIL_RETRY_POLICY, useValue: DEFAULT_RETRY_POLICY },
  { provide: MailRenderer, useFactory: () => HandlebarsMailRenderer.fromDirectory() },
  { provide: MailTransport, useFactory: (config: AppConfig) => createMailTransport(config), inject: [APP_CONFIG] },
  { provide: MailOutbox, useClass: TypeormMailOutbox },
  {
    provide: ImportNotifications,
    useFactory: (renderer: MailRenderer, outbox: MailOutbox, clock: Clock, ids: IdGenerator, config: AppConfig) =>
      new MailOutboxImportNotifications(renderer, outbox, clock, ids, config.publicBaseUrl),
    inject: [MailRenderer, MailOutbox, Clock, IdGenerator, APP_CONFIG],
  },
  {
    provide: DeliverOutboxMail,
    useFactory: (outbox: MailOutbox, transport: MailTransport, clock: Clock, retry: RetryPolicy) =>
      new DeliverOutboxMail(outbox, transport, clock, retry),
    inject: [MailOutbox, MailTransport, Clock, MAIL_RETRY_POLICY],
  },
  MailMetrics,
  MailOutboxWorker,
];

/**
 * Admin e-mails: renders them, records them in the outbox with the import's outcome, and delivers them in the
 * background. Import it once, in the application module, as is or through forRoot to tune the worker and the
 * retries. Global, so the imports module gets ImportNotifications without importing it a second time: a second
 * import (say, plain here and forRoot there) would be a second instance with a second worker.
 */
@Global()
@Module({ providers, exports: [ImportNotifications, MailOutboxWorker] })
export class NotificationsModule {
  static forRoot(options: NotificationsModuleOptions = {}): DynamicModule {
    return {
      module: NotificationsModule,
      // Declared after the decorator's providers, so these replace the defaults of the same tokens.
      providers: [
        { provide: MAIL_OUTBOX_WORKER_OPTIONS, useValue: { ...DEFAULT_MAIL_OUTBOX_WORKER_OPTIONS, ...options.worker } },
        { provide: MAIL_RETRY_POLICY, useValue: { ...DEFAULT_RETRY_POLICY, ...options.retry } },
      ],
    };
  }
}
