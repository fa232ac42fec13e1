import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UserCommandRunner, type UserCommandOutcome } from '../user-command-runner.js';
import { RequestInvitationCommand } from './request-invitation.command.js';

@CommandHandler(RequestInvitationCommand)
export class RequestInvitationHandler implements ICommandHandler<RequestInvitationCommand, UserCommandOutcome> {
  constructor(private readonly runner: UserCommandRunner) {}

  execute({ context, userId }: RequestInvitationCommand): Promise<UserCommandOutcome> {
    return this.runner.run(context, userId, { type: 'RequestInvitation', data: {}, metadata: { now: this.runner.now() } });
  }
}
