// A Kafka broker for the tests, and per-run topics on it.
//
// ensureKafka() picks, in order:
//   1. KAFKA_BROKERS when set ("host:port[,host:port]"), used as is;
//   2. a Testcontainers apache/kafka (KRaft, single node) when a Docker engine answers
//      (skipped with TESTCONTAINERS=off);
//   3. the local broker of test/kafka/kafka.sh (Maven Central jars, needs java; mvn the first time).
//      `stop` releases this process's lease on it: a broker started by hand (or by CI) is left
//      running; one a test run started stops when the last run using it has released it.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { waitForKafka } from '../kafka/wait-ready.mjs';

const { Kafka, logLevel } = kafkajs;
const run = promisify(execFile);

/** Keep in step with kafka.version in test/kafka/pom.xml. */
export const KAFKA_VERSION = '4.1.2';
export const KAFKA_IMAGE = `apache/kafka:${KAFKA_VERSION}`;
const KAFKA_SH = fileURLToPath(new URL('../kafka/kafka.sh', import.meta.url));

async function dockerAnswers() {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000)),
    ]);
    return true;
  } catch {
    return false;
  }
}

/**
 * apache/kafka in a container. @testcontainers/kafka 11.x only knows the Confluent images
 * (it runs /etc/confluent/docker/run and refuses KRaft below "7.0.0"), so this uses a
 * GenericContainer the way testcontainers-java's org.testcontainers.kafka.KafkaContainer does:
 * the container waits for a start script that carries the advertised listener with the mapped port.
 */
async function startKafkaContainer() {
  const { GenericContainer, Wait } = await import('testcontainers');
  const script = '/tmp/ocu_kafka_start.sh';
  const ready = '/tmp/ocu_kafka_start.ready';
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts(9092)
    .withEnvironment({
      CLUSTER_ID: randomClusterId(),
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,BROKER://:9093,CONTROLLER://:9094',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9094',
      KAFKA_NUM_PARTITIONS: '3',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withCommand(['sh', '-c', `echo 'waiting for start script'; while [ ! -f ${ready} ]; do sleep 0.1; done; exec bash ${script}`])
    .withWaitStrategy(Wait.forLogMessage('waiting for start script'))
    .withStartupTimeout(120_000)
    .start();
  const brokers = `${container.getHost()}:${container.getMappedPort(9092)}`;
  const advertised = `PLAINTEXT://${brokers},BROKER://localhost:9093`;
  await container.copyContentToContainer([
    { content: `export KAFKA_ADVERTISED_LISTENERS=${advertised}\nexec /etc/kafka/docker/run\n`, target: script, mode: 0o755 },
  ]);
  // A second copy once the script is whole, so the wait loop never runs a half-written file.
  await container.copyContentToContainer([{ content: '', target: ready }]);
  try {
    await waitForKafka(brokers, { timeoutMs: 120_000 });
  } catch (err) {
    await container.stop().catch(() => {});
    throw err;
  }
  return { brokers, stop: async () => void (await container.stop()) };
}

async function startLocalBroker() {
  // The lease names this process: several jest runs in one work tree share the broker, and it stops
  // only when the last of them releases it, and only if one of them started it (kafka.sh).
  const lease = String(process.pid);
  let stdout;
  try {
    ({ stdout } = await run('bash', [KAFKA_SH, 'start', '--lease', lease], { timeout: 10 * 60_000, maxBuffer: 16 << 20 }));
  } catch (err) {
    throw new Error(`bash test/kafka/kafka.sh start failed:\n${err.stderr || ''}${err.stdout || ''}${err.message}`);
  }
  const match = stdout.match(/^kafka: (started|already running) \(pid \d+\) on (\S+)/m);
  if (!match) throw new Error(`unexpected output of kafka.sh start:\n${stdout}`);
  return {
    brokers: match[2],
    stop: async () => {
      await run('bash', [KAFKA_SH, 'release', lease], { timeout: 120_000 });
    },
  };
}

/**
 * Call once per test run (jest global setup), and `await stop?.()` once at its end (global teardown).
 * @returns {Promise<{ brokers: string, stop?: () => Promise<void> }>}
 */
export async function ensureKafka() {
  if (process.env.KAFKA_BROKERS) return { brokers: process.env.KAFKA_BROKERS };
  if (process.env.TESTCONTAINERS !== 'off' && (await dockerAnswers())) return startKafkaContainer();
  return startLocalBroker();
}

// --- clients and per-run topics -------------------------------------------------------------------

function brokerList(brokers) {
  return (Array.isArray(brokers) ? brokers : String(brokers).split(','))
    .map((b) => b.trim())
    .filter(Boolean);
}

function randomClusterId() {
  let id;
  do id = randomBytes(16).toString('base64url');
  while (id.startsWith('-'));
  return id;
}

/** A kafkajs client with quiet logs; `options` goes to `new Kafka(...)`. */
export function kafkaClient(brokers, options = {}) {
  return new Kafka({
    clientId: 'ocu-test',
    brokers: brokerList(brokers),
    logLevel: logLevel.WARN,
    ...options,
  });
}

async function withAdmin(brokers, fn) {
  const admin = kafkaClient(brokers, { clientId: 'ocu-test-admin' }).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

let defaultPrefix;
/**
 * The prefix of this run's topics: KAFKA_TOPIC_PREFIX when set (a global setup can set it so all
 * test files share one), else one made once per module instance, e.g. "ocu-test.m3x9k2.a1b2c3.".
 */
export function topicPrefix() {
  if (process.env.KAFKA_TOPIC_PREFIX) return process.env.KAFKA_TOPIC_PREFIX;
  defaultPrefix ??= `ocu-test.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}.`;
  return defaultPrefix;
}

/**
 * Creates topics named `${prefix}${name}` and waits for their leaders.
 * @param {string | string[]} brokers
 * @param {string[]} names names without the prefix
 * @param {number} [partitions=3]
 * @param {{ prefix?: string, replicationFactor?: number, configEntries?: { name: string, value: string }[] }} [options]
 * @returns {Promise<string[]>} the full topic names, in the order of `names`
 */
export async function createTopics(brokers, names, partitions = 3, options = {}) {
  const prefix = options.prefix ?? topicPrefix();
  const topics = names.map((name) => `${prefix}${name}`);
  await withAdmin(brokers, (admin) =>
    admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({
        topic,
        numPartitions: partitions,
        replicationFactor: options.replicationFactor ?? 1,
        configEntries: options.configEntries,
      })),
    }),
  );
  return topics;
}

/**
 * Deletes the given full topic names; names that do not exist are ignored.
 * @param {string | string[]} brokers
 * @param {string[]} topics
 */
export async function deleteTopics(brokers, topics) {
  if (topics.length === 0) return;
  await withAdmin(brokers, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 30_000 });
  });
}

/**
 * Deletes every topic that starts with `prefix` (default: this run's). For a global teardown.
 * @returns {Promise<string[]>} the deleted topic names
 */
export async function deleteTopicsWithPrefix(brokers, prefix = topicPrefix()) {
  if (!prefix) throw new Error('refusing to delete topics with an empty prefix');
  return withAdmin(brokers, async (admin) => {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    return topics;
  });
}
