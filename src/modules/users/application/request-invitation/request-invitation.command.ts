import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../../../shared/application/command-context.js';
import type { UserCommandOutcome } from '../user-command-runner.js';

export class RequestInvitationCommand extends Command<UserCommandOutcome> {
  constructor(
    readonly context: CommandContext,
    readonly userId: string,
  ) {
    super();
  }
}
