import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { type Runtime, SharedInfrastructureModule } from './shared/infrastructure/shared-infrastructure.module.js';
import { ImportsModule } from './modules/imports/imports.module.js';
import { NotificationsModule } from './modules/notifications/notifications.module.js';
import { UsersModule } from './modules/users/users.module.js';

@Module({})
export class AppModule {
  static forRoot(runtime: Runtime): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), SharedInfrastructureModule.forRoot(runtime), UsersModule, NotificationsModule, ImportsModule],
    };
  }
}
