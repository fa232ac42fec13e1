import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ManagerResolver } from '../manager-resolver.js';
import { UserCommandRunner, type UserCommandOutcome } from '../user-command-runner.js';
import { UpdateUserCommand } from './update-user.command.js';

@CommandHandler(UpdateUserCommand)
export class UpdateUserHandler implements ICommandHandler<UpdateUserCommand, UserCommandOutcome> {
  constructor(
    private readonly runner: UserCommandRunner,
    private readonly managers: ManagerResolver,
  ) {}

  async execute({ context, userId, changes, expectedVersion }: UpdateUserCommand): Promise<UserCommandOutcome> {
    const { managerId, managerEmail, ...profile } = changes;
    const manager = await this.managers.resolve(context.networkId, { managerId, managerEmail });
    const field = managerId !== undefined ? 'managerId' : 'managerEmail';
    return this.runner.run(
      context,
      userId,
      { type: 'UpdateUser', data: { changes: profile, manager }, metadata: { now: this.runner.now() } },
      { expectedVersion, guard: manager ? (tx) => this.managers.refuseCycle(tx, context.networkId, userId, manager, field) : undefined },
    );
  }
}
