import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../../../shared/application/command-context.js';
import type { UserCommandOutcome } from '../user-command-runner.js';

export interface CreateUserInput {
  email: string;
  name?: string;
  firstName?: string | null;
  lastName?: string | null;
  title?: string | null;
  mobile?: string | null;
  managerId?: string | null;
  managerEmail?: string | null;
}

export class CreateUserCommand extends Command<UserCommandOutcome> {
  constructor(
    readonly context: CommandContext,
    readonly input: CreateUserInput,
  ) {
    super();
  }
}
