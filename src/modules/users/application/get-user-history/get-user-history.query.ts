import { Query } from '@nestjs/cqrs';

/** One entry of a user's history: what changed, when, by whom, and from which import. */
export interface UserHistoryEntry {
  eventId: string;
  version: number;
  type: string;
  schemaVersion: number;
  data: object;
  recordedAt: string;
  actor: { id: string; email: string | null };
  correlationId: string;
  causationId: string | null;
  importId: string | null;
}

export class GetUserHistoryQuery extends Query<UserHistoryEntry[]> {
  constructor(
    readonly networkId: string,
    readonly userId: string,
  ) {
    super();
  }
}
