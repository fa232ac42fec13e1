import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UserCommandRunner, type UserCommandOutcome } from '../user-command-runner.js';
import { ActivateUserCommand } from './activate-user.command.js';

@CommandHandler(ActivateUserCommand)
export class ActivateUserHandler implements ICommandHandler<ActivateUserCommand, UserCommandOutcome> {
  constructor(private readonly runner: UserCommandRunner) {}

  execute({ context, userId }: ActivateUserCommand): Promise<UserCommandOutcome> {
    return this.runner.run(context, userId, { type: 'ActivateUser', data: {}, metadata: { now: this.runner.now() } });
  }
}
