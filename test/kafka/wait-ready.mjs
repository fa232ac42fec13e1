// Waits until a Kafka broker answers the way the tests use it, then warms it up.
//
// As a script (test/kafka/kafka.sh runs it):
//   node test/kafka/wait-ready.mjs <brokers> [timeoutSeconds=60] [pid]
//   exit 0: ready; 1: not ready before the timeout; 2: the broker process <pid> died.
// As a module (test/support/kafka.mjs imports it): waitForKafka(brokers, { timeoutMs, pid }).
//
// Ready means a client lists the topics. The warm-up then has the broker create its internal
// __consumer_offsets topic (a FindCoordinator) and a producer id block (an idempotent producer's
// InitProducerId), so the first test does not wait for that and kafkajs logs no "coordinator not
// available" errors into it.
import { pathToFileURL } from 'node:url';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const POLL_MS = 200;

export class BrokerDiedError extends Error {}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function client(brokers, retries = 0) {
  return new Kafka({
    clientId: 'ocu-kafka-wait-ready',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries, initialRetryTime: 50, maxRetryTime: 500 },
  });
}

async function listTopics(brokers) {
  const admin = client(brokers).admin();
  try {
    await admin.connect();
    return await admin.listTopics();
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function warmUp(brokers) {
  // kafkajs retries inside: the first request of a new client can fail with "No brokers in the
  // broker pool", and the coordinators answer "not available" / "loading" for a moment.
  const kafka = client(brokers, 10);
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 500 } });
  try {
    await Promise.all([
      admin.connect().then(() => admin.describeGroups(['ocu-kafka-warm-up'])),
      producer.connect(),
    ]);
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

/**
 * @param {string | string[]} brokers "host:port[,host:port]" or a list
 * @param {{ timeoutMs?: number, pid?: number, warm?: boolean }} [options]
 */
export async function waitForKafka(brokers, { timeoutMs = 60_000, pid, warm = true, timings = {} } = {}) {
  const t0 = Date.now();
  const list = (Array.isArray(brokers) ? brokers : String(brokers).split(',')).map((b) => b.trim()).filter(Boolean);
  const deadline = Date.now() + timeoutMs;
  let ready = false;
  let lastError;
  for (;;) {
    try {
      if (!ready) {
        await listTopics(list);
        ready = true;
        timings.readyMs = Date.now() - t0;
      }
      if (warm) await warmUp(list);
      timings.warmMs = Date.now() - t0 - timings.readyMs;
      return timings;
    } catch (err) {
      lastError = err;
    }
    if (pid !== undefined && !alive(pid)) {
      throw new BrokerDiedError(`broker process ${pid} exited before it was ready`);
    }
    if (Date.now() >= deadline) {
      const what = ready ? 'answered but did not finish warming up' : 'did not answer';
      throw new Error(`Kafka at ${list.join(',')} ${what} within ${timeoutMs} ms: ${lastError?.message ?? lastError}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [brokers = '127.0.0.1:9092', timeoutSeconds = '60', pid] = process.argv.slice(2);
  try {
    const { readyMs, warmMs } = await waitForKafka(brokers, {
      timeoutMs: Number(timeoutSeconds) * 1000,
      pid: pid ? Number(pid) : undefined,
    });
    console.log(`answering after ${readyMs} ms, warmed up in ${warmMs} ms`);
    process.exit(0);
  } catch (err) {
    console.error(`kafka: ${err.message}`);
    process.exit(err instanceof BrokerDiedError ? 2 : 1);
  }
}
