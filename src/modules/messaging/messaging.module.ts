import { Module } from '@nestjs/common';
import { EventRelayService } from './infrastructure/event-relay.service.js';

/**
 * Relays the event store to Kafka (office-chat.users.v1, office-chat.imports.v1; asyncapi.yaml is the contract).
 * Needs from the global shared module: APP_CONFIG, DataSource, Metrics, ReadinessRegistry, EventUpcasters,
 * PINO_LOGGER. Off, apart from its lag on /health/ready and /metrics, when KAFKA_BROKERS is unset.
 */
@Module({
  providers: [EventRelayService],
  exports: [EventRelayService],
})
export class MessagingModule {}

/** For the CLI: how many committed events have not reached Kafka yet ("N events wait for Kafka"). */
export { pendingEventCount } from './infrastructure/persistence/postgres-relay-outbox.js';
