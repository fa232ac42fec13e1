import { Module } from '@nestjs/common';
import { ActivateUserHandler } from './application/activate-user/activate-user.handler.js';
import { CreateUserHandler } from './application/create-user/create-user.handler.js';
import { DeactivateUserHandler } from './application/deactivate-user/deactivate-user.handler.js';
import { GetUserHistoryHandler } from './application/get-user-history/get-user-history.handler.js';
import { GetUserHandler } from './application/get-user/get-user.handler.js';
import { ListUsersHandler } from './application/list-users/list-users.handler.js';
import { ManagerResolver } from './application/manager-resolver.js';
import { ManagementChainLock } from './application/ports/management-chain-lock.port.js';
import { UserProjection, UserReadModel } from './application/ports/user-read-model.port.js';
import { ReplayUsersHandler } from './application/replay-users/replay-users.handler.js';
import { RequestInvitationHandler } from './application/request-invitation/request-invitation.handler.js';
import { UpdateUserHandler } from './application/update-user/update-user.handler.js';
import { UserCommandRunner } from './application/user-command-runner.js';
import { UsersHttpController } from './infrastructure/http/users.http.controller.js';
import { PostgresManagementChainLock } from './infrastructure/persistence/postgres-management-chain-lock.adapter.js';
import { TypeormUserReadModel } from './infrastructure/persistence/typeorm-user-read-model.adapter.js';

@Module({
  controllers: [UsersHttpController],
  providers: [
    TypeormUserReadModel,
    { provide: UserProjection, useExisting: TypeormUserReadModel },
    { provide: UserReadModel, useExisting: TypeormUserReadModel },
    UserCommandRunner,
    { provide: ManagementChainLock, useClass: PostgresManagementChainLock },
    ManagerResolver,
    CreateUserHandler,
    UpdateUserHandler,
    DeactivateUserHandler,
    ActivateUserHandler,
    RequestInvitationHandler,
    GetUserHandler,
    ListUsersHandler,
    GetUserHistoryHandler,
    ReplayUsersHandler,
  ],
  exports: [UserProjection, UserReadModel, UserCommandRunner, ManagementChainLock],
})
export class UsersModule {}
