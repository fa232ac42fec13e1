import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UniqueEmailViolationError, ValidationError } from '../../../../shared/application/application-errors.js';
import { IdGenerator } from '../../../../shared/application/ports/clock.port.js';
import { emailKey } from '../../domain/email-address.js';
import { ManagerResolver } from '../manager-resolver.js';
import { UserReadModel } from '../ports/user-read-model.port.js';
import { UserCommandRunner, type UserCommandOutcome } from '../user-command-runner.js';
import { CreateUserCommand } from './create-user.command.js';

@CommandHandler(CreateUserCommand)
export class CreateUserHandler implements ICommandHandler<CreateUserCommand, UserCommandOutcome> {
  constructor(
    private readonly runner: UserCommandRunner,
    private readonly users: UserReadModel,
    private readonly managers: ManagerResolver,
    private readonly ids: IdGenerator,
  ) {}

  async execute({ context, input }: CreateUserCommand): Promise<UserCommandOutcome> {
    const name = input.name?.trim() || [input.firstName, input.lastName].filter(Boolean).join(' ').trim();
    if (!name) throw new ValidationError('A new user needs a name, or a first or last name to make it from.', 'name');
    // Checked here for a clear answer; the read model's unique index is what guarantees it under races.
    if ((await this.users.findByEmailKeys(context.networkId, [emailKey(input.email)])).size > 0) {
      throw new UniqueEmailViolationError(input.email);
    }
    const manager = await this.managers.resolve(context.networkId, input);
    const userId = this.ids.newId();
    return this.runner.run(context, userId, {
      type: 'CreateUser',
      data: {
        userId,
        networkId: context.networkId,
        email: input.email,
        name,
        firstName: input.firstName ?? null,
        lastName: input.lastName ?? null,
        title: input.title ?? null,
        mobile: input.mobile ?? null,
        manager,
      },
      metadata: { now: this.runner.now() },
    });
  }
}
