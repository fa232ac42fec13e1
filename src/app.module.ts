import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { type Runtime, SharedInfrastructureModule } from './shared/infrastructure/shared-infrastructure.module.js';
import { AdminPortalModule } from './modules/admin-portal/admin-portal.module.js';
import { ImportsModule } from './modules/imports/imports.module.js';
import { NotificationsModule } from './modules/notifications/notifications.module.js';
import { UsersModule } from './modules/users/users.module.js';

@Module({})
export class AppModule {
  /** `http: false` for one-off commands (the CLI's import), which have no HTTP server for the portal to mount on. */
  static forRoot(runtime: Runtime, options: { http?: boolean } = {}): DynamicModule {
    const httpOnly = options.http === false ? [] : [AdminPortalModule];
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), SharedInfrastructureModule.forRoot(runtime), UsersModule, NotificationsModule, ImportsModule, ...httpOnly],
    };
  }
}
