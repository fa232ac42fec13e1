import type { RecordedEvent } from '../../../../shared/application/ports/event-store.port.js';
import { fold } from '../../../../shared/domain/event.js';
import { evolve, initialState } from '../../domain/user.decider.js';
import { USER_EVENT_SCHEMA_VERSIONS, type UserEvent } from '../../domain/user.events.js';
import { type UserSnapshot, userSnapshot } from '../ports/user-read-model.port.js';

/** What a user's whole stream gives: a row (or none), or why this release cannot replay it. */
export type Replayed = { readonly user: UserSnapshot | null } | { readonly unreadable: string };

/** The row a user's whole stream gives: its state after the last event, at that version, created and changed when its events were. */
export function replayedUser(stream: readonly RecordedEvent[]): Replayed {
  for (const e of stream) {
    const current = (USER_EVENT_SCHEMA_VERSIONS as Readonly<Record<string, number>>)[e.type];
    // An event this release does not know, or a newer version of one (a newer release wrote it): its meaning is unknown here.
    if (current === undefined) return { unreadable: `event ${e.streamVersion} is a ${e.type}, which this release does not know` };
    if (e.schemaVersion > current) return { unreadable: `event ${e.streamVersion} is a ${e.type} of schema version ${e.schemaVersion}, newer than this release's ${current}` };
  }
  const state = fold(evolve, initialState(), stream.map((e) => ({ type: e.type, data: e.data }) as UserEvent));
  if (state.kind !== 'existing') return { user: null };
  const last = stream[stream.length - 1];
  return { user: userSnapshot(state, last.streamVersion, stream[0].recordedAt, last.recordedAt) };
}

/** Fields compared, by their column in the users table. The manager's e-mail is not kept there: its id is. */
const COMPARED: readonly (readonly [string, (u: UserSnapshot) => string | number | null])[] = [
  ['network_id', (u) => u.networkId],
  ['email', (u) => u.email],
  ['name', (u) => u.name],
  ['first_name', (u) => u.firstName],
  ['last_name', (u) => u.lastName],
  ['title', (u) => u.title],
  ['mobile', (u) => u.mobile],
  ['manager_id', (u) => u.managerId],
  ['status', (u) => u.status],
  ['invitation', (u) => u.invitation],
  ['version', (u) => u.version],
  ['created_at', (u) => u.createdAt.getTime()],
  ['updated_at', (u) => u.updatedAt.getTime()],
  ['created_by_import_id', (u) => u.createdByImportId],
];

/** The columns in which the stored row is not what the events give. */
export function differingFields(replayed: UserSnapshot, stored: UserSnapshot): string[] {
  return COMPARED.filter(([, value]) => value(replayed) !== value(stored)).map(([column]) => column);
}
