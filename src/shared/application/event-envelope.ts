import type { DomainEvent } from '../domain/event.js';
import type { CommandContext } from './command-context.js';
import type { IdGenerator } from './ports/clock.port.js';
import type { EventMetadata, NewEvent } from './ports/event-store.port.js';

// One metadata object per command context: a bulk import's batch shares it across thousands of events.
const metadataOf = new WeakMap<CommandContext, EventMetadata>();

function metadataFor(ctx: CommandContext): EventMetadata {
  let metadata = metadataOf.get(ctx);
  if (!metadata) {
    metadata = Object.freeze({
      networkId: ctx.networkId,
      actorId: ctx.actor.id,
      ...(ctx.actor.email ? { actorEmail: ctx.actor.email } : {}),
      correlationId: ctx.correlationId,
      ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
      ...(ctx.importId ? { importId: ctx.importId } : {}),
    });
    metadataOf.set(ctx, metadata);
  }
  return metadata;
}

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
    metadata: metadataFor(ctx),
    recordedAt: now,
  }));
}
