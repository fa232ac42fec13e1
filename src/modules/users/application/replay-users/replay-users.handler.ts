import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '../../../../shared/application/ports/event-store.port.js';
import { UnitOfWork } from '../../../../shared/application/ports/unit-of-work.port.js';
import { UserProjection, type UserSnapshot } from '../ports/user-read-model.port.js';
import { ReplayUsersCommand, type UserRowDifference, type UsersReplayReport } from './replay-users.command.js';
import { differingFields, replayedUser } from './user-row-differences.js';

/** Differences listed in the report; the counts cover them all. */
const EXAMPLES = 20;

/**
 * Walks the users' streams and the table's rows side by side, both in user-id order (a merge join: one stream and
 * one page of rows in memory, whatever the number of users).
 */
@CommandHandler(ReplayUsersCommand)
export class ReplayUsersHandler implements ICommandHandler<ReplayUsersCommand, UsersReplayReport> {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly events: EventStore,
    private readonly projection: UserProjection,
  ) {}

  execute({ options }: ReplayUsersCommand): Promise<UsersReplayReport> {
    return this.unitOfWork.transaction(async (tx) => {
      const table = await this.projection.startReplay(tx, options);
      const counts = { missing: 0, unbacked: 0, different: 0, unreadable: 0 };
      const examples: UserRowDifference[] = [];
      let users = 0;
      let events = 0;
      let rows = 0;
      const found = (difference: UserRowDifference) => {
        counts[difference.kind] += 1;
        if (examples.length < EXAMPLES) examples.push(difference);
      };
      const stored = table.rows[Symbol.asyncIterator]();
      const nextRow = async (): Promise<UserSnapshot | undefined> => {
        const result = await stored.next();
        if (result.done) return undefined;
        rows += 1;
        return result.value;
      };
      const unbacked = async (row: UserSnapshot) => {
        found({ networkId: row.networkId, userId: row.userId, kind: 'unbacked', fields: [] });
        if (options.repair) await table.remove(row.networkId, row.userId);
      };

      let row = await nextRow();
      for await (const stream of this.events.readStreams(tx, 'user', options.networkId)) {
        events += stream.length;
        const userId = stream[0].streamId;
        while (row !== undefined && row.userId < userId) {
          await unbacked(row);
          row = await nextRow();
        }
        const current = row?.userId === userId ? row : undefined;
        if (current !== undefined) row = await nextRow();
        const outcome = replayedUser(stream);
        if ('unreadable' in outcome) {
          found({ networkId: stream[0].metadata.networkId, userId, kind: 'unreadable', fields: [], reason: outcome.unreadable });
          continue;
        }
        const replayed = outcome.user;
        if (replayed === null) {
          if (current !== undefined) await unbacked(current);
          continue;
        }
        users += 1;
        const fields = current === undefined ? [] : differingFields(replayed, current);
        if (current !== undefined && fields.length === 0) continue;
        found({ networkId: replayed.networkId, userId, kind: current === undefined ? 'missing' : 'different', fields });
        if (!options.repair) continue;
        // A row under another network is not the one the replayed row replaces: it goes.
        if (current !== undefined && current.networkId !== replayed.networkId) await table.remove(current.networkId, userId);
        await table.put(replayed);
      }
      for (; row !== undefined; row = await nextRow()) await unbacked(row);

      const repaired = options.repair ? await table.apply() : 0;
      return { networkId: options.networkId ?? null, users, events, rows, differences: counts, examples, repaired };
    });
  }
}
