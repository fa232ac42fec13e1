import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UserCommandRunner, type UserCommandOutcome } from '../user-command-runner.js';
import { DeactivateUserCommand } from './deactivate-user.command.js';

@CommandHandler(DeactivateUserCommand)
export class DeactivateUserHandler implements ICommandHandler<DeactivateUserCommand, UserCommandOutcome> {
  constructor(private readonly runner: UserCommandRunner) {}

  execute({ context, userId }: DeactivateUserCommand): Promise<UserCommandOutcome> {
    return this.runner.run(context, userId, { type: 'DeactivateUser', data: {}, metadata: { now: this.runner.now() } });
  }
}
