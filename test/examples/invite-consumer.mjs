#!/usr/bin/env node
// The reference consumer of office-chat.users.v1: how a downstream service (here, the invite service) reads the
// users service's events. Runnable: `npm run example:invite-consumer` (KAFKA_BROKERS, default 127.0.0.1:9092;
// KAFKA_USERS_TOPIC, default office-chat.users.v1; INVITE_CONSUMER_GROUP, default office-chat.invite-service).
//
// What it shows (asyncapi.yaml is the contract):
// - a consumer group: instances share the partitions, a restarted one resumes at its group's committed offsets;
// - filter on the `event-type` header before parsing the value;
// - delivery is at least once, so dedupe on `event-id`: an event can arrive again after a producer crash or a
//   consumer rebalance. This example remembers handled ids in memory (a bounded window), enough for a demo; a real
//   service records each handled event id durably, in the same database transaction as its effect (e.g. a table
//   with the event id as primary key: insert it with the invitation, and a duplicate's insert conflicts);
// - a user's events arrive in order (`version` 1, 2, 3, ... per user, key = user id).
// Each UserInvitationRequested is logged as one JSON line: what the invite service would send, and to whom.
import { pathToFileURL } from 'node:url';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

/** Remembers the last `capacity` ids (insertion order); enough to drop redeliveries of a recent batch. */
class SeenIds {
  constructor(capacity = 100_000) {
    this.capacity = capacity;
    this.ids = new Set();
  }

  /** True the first time an id is offered, false for a duplicate. */
  add(id) {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value);
    return true;
  }
}

const header = (message, name) => message.headers?.[name]?.toString();

/** Waits until `topic` exists, calling `onWaiting` once if it does not yet; asks without creating it. */
async function waitForTopic(kafka, topic, onWaiting) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let told = false; !(await admin.listTopics()).includes(topic); told = true) {
      if (!told) onWaiting();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Starts the consumer. `onInvite(invite)` is called once per distinct UserInvitationRequested event,
 * `onDuplicate` for every message whose event-id was already handled, `onWaitingForTopic` once if the topic does not
 * exist yet.
 * @returns {Promise<{ stop(): Promise<void>, stats: { received: number, duplicates: number, invites: number } }>}
 */
export async function startInviteConsumer({
  brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  topic = process.env.KAFKA_USERS_TOPIC ?? 'office-chat.users.v1',
  groupId = process.env.INVITE_CONSUMER_GROUP ?? 'office-chat.invite-service',
  onInvite = (invite) => process.stdout.write(`${JSON.stringify({ msg: 'invite', ...invite })}\n`),
  onDuplicate = (duplicate) => process.stderr.write(`${JSON.stringify({ msg: 'duplicate skipped', ...duplicate })}\n`),
  onWaitingForTopic = () => process.stderr.write(`invite consumer: waiting for ${topic} to exist (the service creates it when it starts with KAFKA_BROKERS set)\n`),
} = {}) {
  const kafka = new Kafka({ clientId: 'invite-consumer-example', brokers, logLevel: logLevel.WARN });
  // Never create the topic: a broker that auto-creates topics would make it with its default partition count,
  // not the service's (KAFKA_USERS_TOPIC_PARTITIONS), and the relay would then keep that one.
  await waitForTopic(kafka, topic, onWaitingForTopic);
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, allowAutoTopicCreation: false });
  const seen = new SeenIds();
  const stats = { received: 0, duplicates: 0, invites: 0 };
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      stats.received += 1;
      const eventId = header(message, 'event-id');
      if (!eventId || !seen.add(eventId)) {
        stats.duplicates += 1;
        await onDuplicate({ eventId, eventType: header(message, 'event-type'), partition, offset: message.offset });
        return; // a redelivery: already acted on
      }
      if (header(message, 'event-type') !== 'UserInvitationRequested') return;
      const event = JSON.parse(message.value.toString());
      const { userId, networkId, email, name } = event.data;
      stats.invites += 1;
      // The invite service would write the invitation here (and record eventId with it, in one transaction).
      await onInvite({ eventId, userId, networkId, email, name, version: event.version, partition, offset: message.offset });
    },
  });
  return {
    stats,
    // Disconnecting commits the offsets of what was handled, so the group resumes after it.
    stop: () => consumer.disconnect(),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const running = await startInviteConsumer().catch((error) => {
    process.stderr.write(`invite consumer: cannot read from Kafka at ${process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'} (KAFKA_BROKERS): ${error.message}\n`);
    process.exit(1);
  });
  process.stderr.write(`invite consumer: reading ${process.env.KAFKA_USERS_TOPIC ?? 'office-chat.users.v1'} (Ctrl-C to stop)\n`);
  const stop = async () => {
    await running.stop();
    process.stderr.write(`invite consumer: stopped (${JSON.stringify(running.stats)})\n`);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
