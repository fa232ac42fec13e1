import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { type Runtime, SharedInfrastructureModule } from './shared/infrastructure/shared-infrastructure.module.js';
import { AdminPortalModule } from './modules/admin-portal/admin-portal.module.js';
import { ImportsModule } from './modules/imports/imports.module.js';
import { MessagingModule } from './modules/messaging/messaging.module.js';
import { NotificationsModule } from './modules/notifications/notifications.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { EVENT_UPCASTERS } from './event-upcasters.js';

@Module({})
export class AppModule {
  /** `http: false` for one-off commands (the CLI's import), which have no HTTP server for the portal to mount on. */
  static forRoot(runtime: Runtime, options: { http?: boolean } = {}): DynamicModule {
    const httpOnly = options.http === false ? [] : [AdminPortalModule];
    // The Kafka relay and the mail worker run in serving instances only: a one-off command leaves its events and
    // every network's waiting mails to them (the import command sends its own --notify mail with drainOnce).
    const serving = options.http === false ? [] : [MessagingModule];
    const notifications = options.http === false ? NotificationsModule.forRoot({ worker: { enabled: false } }) : NotificationsModule;
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), SharedInfrastructureModule.forRoot(runtime, EVENT_UPCASTERS), UsersModule, notifications, ImportsModule, ...httpOnly, ...serving],
    };
  }
}
