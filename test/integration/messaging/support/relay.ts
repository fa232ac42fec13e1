/** A relay built the way the application builds it, on a test's database and topics, with counters for the test. */
import type { OpenRuntime } from '../../../../src/bootstrap.js';
import type { StoredEvent } from '../../../../src/modules/messaging/domain/message-contract.js';
import type { RelayHooks } from '../../../../src/modules/messaging/application/relay-events/event-relay.js';
import { createEventRelay, type EventRelayParts, type RelaySettings } from '../../../../src/modules/messaging/infrastructure/event-relay.factory.js';
import { EventUpcasters } from '../../../../src/shared/application/event-upcasters.js';
import { EVENT_UPCASTERS } from '../../../../src/event-upcasters.js';

export interface TestRelay extends EventRelayParts {
  /** Reads of the store so far (including empty ones). */
  reads(): number;
  /** Events read so far. */
  readonly read: StoredEvent[];
  stop(): Promise<void>;
}

export function startTestRelay(runtime: OpenRuntime, settings: RelaySettings, hooks: RelayHooks = {}): TestRelay {
  let reads = 0;
  const read: StoredEvent[] = [];
  const parts = createEventRelay({
    dataSource: runtime.dataSource,
    settings,
    upcasters: new EventUpcasters(EVENT_UPCASTERS),
    retryMinMs: 50,
    hooks: {
      ...hooks,
      afterRead(batch) {
        reads += 1;
        read.push(...batch);
        return hooks.afterRead?.(batch);
      },
    },
  });
  parts.relay.start();
  let stopped = false;
  return {
    ...parts,
    reads: () => reads,
    read,
    async stop() {
      if (stopped) return;
      stopped = true;
      await parts.relay.stop();
      await parts.publisher.close();
    },
  };
}
