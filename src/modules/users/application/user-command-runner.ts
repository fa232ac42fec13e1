import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../shared/domain/domain-error.js';
import { fold } from '../../../shared/domain/event.js';
import type { CommandContext } from '../../../shared/application/command-context.js';
import { envelope } from '../../../shared/application/event-envelope.js';
import { NotFoundError, PreconditionFailedError } from '../../../shared/application/application-errors.js';
import { Clock, IdGenerator } from '../../../shared/application/ports/clock.port.js';
import { EventStore } from '../../../shared/application/ports/event-store.port.js';
import { type Transaction, UnitOfWork } from '../../../shared/application/ports/unit-of-work.port.js';
import type { UserCommand } from '../domain/user.commands.js';
import { decide, evolve, initialState, type ExistingUser } from '../domain/user.decider.js';
import { USER_EVENT_SCHEMA_VERSIONS, type UserEvent } from '../domain/user.events.js';
import { UserProjection, userSnapshot } from './ports/user-read-model.port.js';

export interface UserCommandOutcome {
  readonly userId: string;
  readonly version: number;
  /** False when the command changed nothing and no event was appended. */
  readonly changed: boolean;
  readonly events: readonly UserEvent[];
}

/**
 * The one path every single-user command takes: read the user's stream, decide, then append the events and
 * update the read model in one transaction. Used by each use case's handler.
 */
@Injectable()
export class UserCommandRunner {
  constructor(
    private readonly events: EventStore,
    private readonly uow: UnitOfWork,
    private readonly projection: UserProjection,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  now(): Date {
    return this.clock.now();
  }

  async run(
    ctx: CommandContext,
    userId: string,
    command: UserCommand,
    options: {
      expectedVersion?: number;
      /** Runs first in the transaction that writes the events: a check that must see what commits before it. */
      guard?: (tx: Transaction) => Promise<void>;
    } = {},
  ): Promise<UserCommandOutcome> {
    const stream = await this.events.readStream(ctx.networkId, userId);
    const version = stream.length;
    // A user this network does not have (another network's id among them) is a 404 whatever If-Match says, as
    // without it: "it is now at version 0" told of no user at all.
    if (options.expectedVersion !== undefined && version > 0 && options.expectedVersion !== version) {
      throw new PreconditionFailedError(
        `This user has changed since version ${options.expectedVersion} (it is now at version ${version}); reload it and try again.`,
      );
    }
    const state = fold(evolve, initialState(), stream.map((e) => ({ type: e.type, data: e.data }) as UserEvent));
    let decided: UserEvent[];
    try {
      decided = decide(command, state);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not-found') throw new NotFoundError(error.message);
      throw error;
    }
    if (decided.length === 0) return { userId, version, changed: false, events: [] };

    const next = fold(evolve, state, decided) as ExistingUser;
    const now = command.metadata.now;
    const createdAt = stream[0]?.recordedAt ?? now;
    const snapshot = userSnapshot(next, version + decided.length, createdAt, now);
    await this.uow.transaction(async (tx) => {
      await options.guard?.(tx);
      await this.events.append(tx, [
        { streamType: 'user', streamId: userId, expectedVersion: version, events: envelope(decided, USER_EVENT_SCHEMA_VERSIONS, ctx, now, this.ids) },
      ]);
      await this.projection.save(tx, [snapshot]);
    });
    return { userId, version: snapshot.version, changed: true, events: decided };
  }
}
