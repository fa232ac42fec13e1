import type { DomainEvent } from '../domain/event.js';
import type { CommandContext } from './command-context.js';
import type { IdGenerator } from './ports/clock.port.js';
import type { NewEvent } from './ports/event-store.port.js';

/** Wraps domain events in the store's envelope: ids, time and the request's metadata, never from the domain. */
export function envelope<E extends DomainEvent>(
  events: readonly E[],
  schemaVersions: Readonly<Record<E['type'], number>>,
  ctx: CommandContext,
  now: Date,
  ids: IdGenerator,
): NewEvent[] {
  return events.map((e) => ({
    eventId: ids.newId(),
    type: e.type,
    schemaVersion: schemaVersions[e.type as E['type']],
    data: e.data,
    metadata: {
      networkId: ctx.networkId,
      actorId: ctx.actor.id,
      ...(ctx.actor.email ? { actorEmail: ctx.actor.email } : {}),
      correlationId: ctx.correlationId,
      ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
      ...(ctx.importId ? { importId: ctx.importId } : {}),
    },
    recordedAt: now,
  }));
}
