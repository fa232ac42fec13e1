// The reference invite consumer (test/examples/invite-consumer.mjs, what `npm run example:invite-consumer` runs),
// as a process of its own against what the relay published from real commands and a real import: it logs each UserInvitationRequested
// once, skips a redelivered copy by its event-id, and, being a consumer group, resumes after what it handled.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { startTestApp, type TestApp, uniqueEmail, uniqueNetworkId } from '../../support/app.js';
import { csv, importCsv } from '../../support/imports.js';
import { createUserOverHttp, usersPath } from '../../support/users-api.js';
import { createFreshDatabase, type FreshDatabase } from '../../support/fresh-database.js';
import { relayEnv, runBrokers, testKafka, TopicRecorder, uniqueTopics, waitFor } from './support/kafka.js';

const brokers = runBrokers();
const SCRIPT = 'test/examples/invite-consumer.mjs';

interface RunningConsumer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly out: Record<string, any>[];
  readonly err: string[];
  stop(): Promise<number | null>;
}

function runConsumer(topic: string, groupId: string): RunningConsumer {
  const child = spawn(process.execPath, [SCRIPT], {
    cwd: process.cwd(),
    env: { ...process.env, KAFKA_BROKERS: brokers, KAFKA_USERS_TOPIC: topic, INVITE_CONSUMER_GROUP: groupId, NODE_OPTIONS: '' },
  });
  const out: Record<string, any>[] = [];
  const err: string[] = [];
  let outBuf = '';
  child.stdout.on('data', (d: Buffer) => {
    outBuf += d.toString();
    const lines = outBuf.split('\n');
    outBuf = lines.pop()!;
    for (const line of lines) if (line.trim()) out.push(JSON.parse(line));
  });
  child.stderr.on('data', (d: Buffer) => err.push(...d.toString().split('\n').filter(Boolean)));
  return {
    child,
    out,
    err,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      return code as number | null;
    },
  };
}

async function invitationEventIds(t: TestApp): Promise<string[]> {
  const rows = await t.runtime.dataSource.query<{ event_id: string }[]>(`SELECT event_id FROM events WHERE type = 'UserInvitationRequested' ORDER BY position`);
  return rows.map((r) => r.event_id);
}

describe('reference invite consumer', () => {
  const topics = uniqueTopics('invite');
  const groupId = `${process.env.KAFKA_TOPIC_PREFIX ?? 'ocu-test.'}invite-service.${randomBytes(3).toString('hex')}`;
  let db: FreshDatabase;
  let t: TestApp;
  let consumer: RunningConsumer | undefined;
  let recorder: TopicRecorder | undefined;

  beforeAll(async () => {
    db = await createFreshDatabase('invite');
    t = await startTestApp({ DATABASE_URL: db.url, ...relayEnv(brokers, topics), IMPORT_WORKER_ENABLED: 'true' });
  });
  afterAll(async () => {
    await consumer?.stop();
    await recorder?.stop();
    await t?.close();
    await db?.drop();
  });

  it('is what npm run example:invite-consumer runs', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(pkg.scripts['example:invite-consumer']).toBe(`node ${SCRIPT}`);
  });

  it('started before the service made its topic, waits for it without creating it (a broker would make it with its own partition count), then reads it', async () => {
    const early = uniqueTopics('invite-early').users;
    const admin = testKafka(brokers).admin();
    await admin.connect();
    const waiting = runConsumer(early, `${groupId}.early`);
    try {
      await waitFor(() => waiting.err.some((l) => l.includes(`waiting for ${early} to exist`)), 30_000, 'the consumer to say it waits');
      await new Promise((r) => setTimeout(r, 2_000));
      expect(waiting.child.exitCode).toBeNull();
      expect(await admin.listTopics()).not.toContain(early);
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: early, numPartitions: 5 }] });
      await waitFor(() => waiting.err.some((l) => l.includes(`reading ${early}`)), 30_000, 'the consumer to read the topic once it exists');
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [early] })).topics;
      expect(metadata.partitions).toHaveLength(5);
      expect(await waiting.stop()).toBe(0);
    } finally {
      await waiting.stop();
      await admin.deleteTopics({ topics: [early] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('logs each UserInvitationRequested once, skips a redelivered copy, and resumes where its group left off', async () => {
    const network = uniqueNetworkId('invite');
    const auth = await t.authHeader([network]);
    const ann = await createUserOverHttp(t, network, { email: uniqueEmail('ann', 'acme.example'), name: 'Ann' });
    const bob = await createUserOverHttp(t, network, { email: uniqueEmail('bob', 'acme.example'), name: 'Bob' });
    await t.http.post(usersPath(network, `/${ann.id}/invitation`)).set(auth).expect(200);
    await t.http.post(usersPath(network, `/${bob.id}/invitation`)).set(auth).expect(200);
    await t.http.patch(usersPath(network, `/${ann.id}`)).set(auth).send({ title: 'Not an invitation' }).expect(200);
    await importCsv(t, network, csv('email/login,name', 'cleo@acme.example,Cleo', 'dan@acme.example,Dan'), { autoSendInvites: 'true' });
    const invitations = await invitationEventIds(t);
    expect(invitations).toHaveLength(4);

    consumer = runConsumer(topics.users, groupId);
    await waitFor(() => consumer!.out.length >= 4, 30_000, 'four invitations logged');
    expect(consumer.out.map((l) => l.eventId).sort()).toEqual([...invitations].sort());
    expect(consumer.out.find((l) => l.userId === ann.id)).toMatchObject({ msg: 'invite', networkId: network, email: ann.email, name: 'Ann' });
    expect(consumer.out.map((l) => l.email).sort()).toEqual([ann.email, bob.email, 'cleo@acme.example', 'dan@acme.example'].sort());

    // A redelivery, as after a relay crash between send and checkpoint: the exact same record again.
    recorder = await TopicRecorder.start(brokers, [topics.users]);
    const original = await waitFor(
      () => recorder!.messages.find((m) => m.headers['event-type'] === 'UserInvitationRequested' && m.key === ann.id),
      20_000,
      "Ann's invitation on the topic",
    );
    const producer = testKafka(brokers).producer();
    await producer.connect();
    await producer.send({ topic: topics.users, acks: -1, messages: [{ key: original.key, value: original.text, headers: original.headers }] });
    await producer.disconnect();
    await waitFor(() => consumer!.err.some((l) => l.includes('duplicate skipped') && l.includes(original.headers['event-id'])), 20_000, 'the duplicate to be skipped');
    expect(consumer.out).toHaveLength(4);

    // Stopped and started again, the group resumes after what it handled: only the new invitation is logged.
    expect(await consumer.stop()).toBe(0);
    expect(consumer.err.some((l) => l.includes('stopped'))).toBe(true);
    const eve = await createUserOverHttp(t, network, { email: uniqueEmail('eve', 'acme.example'), name: 'Eve' });
    await t.http.post(usersPath(network, `/${eve.id}/invitation`)).set(auth).expect(200);
    consumer = runConsumer(topics.users, groupId);
    await waitFor(() => consumer!.out.length >= 1, 30_000, "Eve's invitation logged by the restarted consumer");
    expect(consumer.out.map((l) => l.userId)).toEqual([eve.id]);
    expect(await consumer.stop()).toBe(0);
  });
});
