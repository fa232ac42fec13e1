import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../../../shared/application/command-context.js';
import type { ProfileChanges } from '../../domain/user.events.js';
import type { UserCommandOutcome } from '../user-command-runner.js';

export class UpdateUserCommand extends Command<UserCommandOutcome> {
  constructor(
    readonly context: CommandContext,
    readonly userId: string,
    readonly changes: ProfileChanges & { managerId?: string | null; managerEmail?: string | null },
    /** The version the client last saw (If-Match); a different current version is a 412. */
    readonly expectedVersion?: number,
  ) {
    super();
  }
}
