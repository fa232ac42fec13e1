import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../../../shared/application/command-context.js';

export interface InvitationsRequested {
  readonly requested: number;
}

/** Step 7 of the admin guide: invite the users an import created, once each. */
export class InviteImportedUsersCommand extends Command<InvitationsRequested> {
  constructor(
    readonly context: CommandContext,
    readonly importId: string,
  ) {
    super();
  }
}
