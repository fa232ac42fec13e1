import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '../../../../shared/application/application-errors.js';
import { EventStore } from '../../../../shared/application/ports/event-store.port.js';
import { GetUserHistoryQuery, type UserHistoryEntry } from './get-user-history.query.js';

@QueryHandler(GetUserHistoryQuery)
export class GetUserHistoryHandler implements IQueryHandler<GetUserHistoryQuery, UserHistoryEntry[]> {
  constructor(private readonly events: EventStore) {}

  async execute({ networkId, userId }: GetUserHistoryQuery): Promise<UserHistoryEntry[]> {
    const stream = await this.events.readStream(networkId, userId);
    if (stream.length === 0) throw new NotFoundError(`There is no user ${userId} in network ${networkId}.`);
    return stream.map((e) => ({
      eventId: e.eventId,
      version: e.streamVersion,
      type: e.type,
      schemaVersion: e.schemaVersion,
      data: e.data,
      recordedAt: e.recordedAt.toISOString(),
      actor: { id: e.metadata.actorId, email: e.metadata.actorEmail ?? null },
      correlationId: e.metadata.correlationId,
      causationId: e.metadata.causationId ?? null,
      importId: e.metadata.importId ?? null,
    }));
  }
}
