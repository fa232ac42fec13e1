import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ConcurrencyConflictError, NotFoundError, ValidationError } from '../../../../shared/application/application-errors.js';
import type { CommandContext } from '../../../../shared/application/command-context.js';
import { DomainError } from '../../../../shared/domain/domain-error.js';
import { envelope } from '../../../../shared/application/event-envelope.js';
import { Clock, IdGenerator } from '../../../../shared/application/ports/clock.port.js';
import { EventStore } from '../../../../shared/application/ports/event-store.port.js';
import { UnitOfWork } from '../../../../shared/application/ports/unit-of-work.port.js';
import { UserProjection, UserReadModel, userSnapshot } from '../../../users/application/ports/user-read-model.port.js';
import { decide, evolve, type ExistingUser } from '../../../users/domain/user.decider.js';
import { USER_EVENT_SCHEMA_VERSIONS } from '../../../users/domain/user.events.js';
import { ImportRepository } from '../ports/import-store.port.js';
import { InviteImportedUsersCommand, type InvitationsRequested } from './invite-imported-users.command.js';

const CHUNK = 1_000;
const MAX_CONFLICTS = 200;

@CommandHandler(InviteImportedUsersCommand)
export class InviteImportedUsersHandler implements ICommandHandler<InviteImportedUsersCommand, InvitationsRequested> {
  constructor(
    private readonly imports: ImportRepository,
    private readonly users: UserReadModel,
    private readonly projection: UserProjection,
    private readonly events: EventStore,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute({ context, importId }: InviteImportedUsersCommand): Promise<InvitationsRequested> {
    const record = await this.imports.get(context.networkId, importId);
    if (!record) throw new NotFoundError(`There is no import ${importId} in network ${context.networkId}.`);
    if (record.dryRun) throw new ValidationError('A dry run created nobody, so there is nobody to invite.', 'importId');
    if (record.status === 'queued' || record.status === 'running') {
      const where = record.status === 'queued' ? 'has not started yet' : 'is still running';
      throw new DomainError('invalid-state', `This import ${where}: invite its users once it has finished (its report says when).`);
    }
    let requested = 0;
    let conflicts = 0;
    let size = CHUNK;
    // Chunked transactions; each chunk only takes users not yet invited, so a retry or a second call invites nobody
    // twice. A chunk that lost a race with an edit (stale version) is read again, halved, so that admins editing
    // those users at the same time cannot starve it.
    // The users are walked in id order: each chunk starts after the last one read.
    for (let after: string | null = null; ; ) {
      let chunk: { invited: number; lastId: string | null };
      try {
        chunk = await this.inviteChunk(context, importId, after, size);
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError) || ++conflicts > MAX_CONFLICTS) throw error;
        size = Math.max(1, Math.floor(size / 2));
        continue;
      }
      requested += chunk.invited;
      if (chunk.invited < size) {
        // After the last chunk: a process dying before this leaves the page offering to invite them, which invites nobody twice.
        await this.imports.recordInvitationsRequested(importId, context.actor.email ?? context.actor.id, this.clock.now());
        return { requested };
      }
      after = chunk.lastId;
      size = Math.min(CHUNK, size * 2);
    }
  }

  private async inviteChunk(context: CommandContext, importId: string, after: string | null, size: number): Promise<{ invited: number; lastId: string | null }> {
    const pending = await this.users.findUninvitedCreatedByImport(context.networkId, importId, after, size);
    return this.uow.transaction(async (tx) => {
      const now = this.clock.now();
      const ctx = { ...context, causationId: context.causationId ?? importId, importId };
      const decided = pending.map((user) => ({ user, events: decide({ type: 'RequestInvitation', data: {}, metadata: { now } }, user) }));
      await this.events.append(
        tx,
        decided.map(({ user, events }) => ({
          streamType: 'user' as const,
          streamId: user.userId,
          expectedVersion: user.version,
          events: envelope(events, USER_EVENT_SCHEMA_VERSIONS, ctx, now, this.ids),
        })),
      );
      await this.projection.save(
        tx,
        decided.map(({ user, events }) => userSnapshot(events.reduce(evolve, user) as ExistingUser, user.version + events.length, user.createdAt, now)),
      );
      return { invited: pending.length, lastId: pending.at(-1)?.userId ?? null };
    });
  }
}
