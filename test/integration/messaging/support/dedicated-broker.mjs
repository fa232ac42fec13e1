// A Kafka broker of one's own, for tests that stop, kill and restart it (never the run's shared broker of
// test/kafka/kafka.sh). Same jars, template and JVM flags as kafka.sh, but its own data directory and free ports,
// and restarts keep the data (kafka.sh formats afresh on every start).
//
//   const broker = await DedicatedBroker.start();   // formats a temp dir, starts, waits until ready
//   broker.brokers                                   // "127.0.0.1:<port>"
//   await broker.stop();  await broker.kill();  await broker.restart();  await broker.destroy();
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitForKafka } from '../../../kafka/wait-ready.mjs';

const run = promisify(execFile);
const KAFKA_DIR = fileURLToPath(new URL('../../../kafka/', import.meta.url));
const LIB = join(KAFKA_DIR, 'lib');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function clusterId() {
  let id;
  do id = randomBytes(16).toString('base64url');
  while (id.startsWith('-'));
  return id;
}

function jvmArgs() {
  const args = ['-Xmx512m', '-Xms64m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData'];
  // kafka.sh's class-data archive, when a broker recorded one: halves the start-up.
  if (existsSync(join(LIB, 'kafka.jsa'))) args.push(`-XX:SharedArchiveFile=${join(LIB, 'kafka.jsa')}`, '-Xshare:auto', '-Xlog:cds=off,cds+dynamic=off');
  args.push(`-Dlog4j2.configurationFile=${join(KAFKA_DIR, 'log4j2.properties')}`, '-cp', `${LIB}/*`);
  return args;
}

export class DedicatedBroker {
  /** @param {{ dir: string, port: number, controllerPort: number }} o */
  constructor(o) {
    this.dir = o.dir;
    this.port = o.port;
    this.controllerPort = o.controllerPort;
    this.brokers = `127.0.0.1:${o.port}`;
    this.props = join(o.dir, 'server.properties');
    this.logFile = join(o.dir, 'kafka.log');
    this.child = undefined;
  }

  /** Formats a fresh broker in a temp dir on free ports and starts it. */
  static async start({ partitions = 3 } = {}) {
    if (!existsSync(join(LIB, '.fetched'))) await run('bash', [join(KAFKA_DIR, 'kafka.sh'), 'fetch'], { timeout: 10 * 60_000 });
    const dir = await mkdtemp(join(tmpdir(), 'ocu-kafka-'));
    const broker = new DedicatedBroker({ dir, port: await freePort(), controllerPort: await freePort() });
    const template = readFileSync(join(KAFKA_DIR, 'server.properties.template'), 'utf8');
    writeFileSync(
      broker.props,
      template
        .replaceAll('@KAFKA_PORT@', String(broker.port))
        .replaceAll('@KAFKA_CONTROLLER_PORT@', String(broker.controllerPort))
        .replaceAll('@KAFKA_NUM_PARTITIONS@', String(partitions))
        .replaceAll('@KAFKA_OFFSETS_PARTITIONS@', '1')
        .replaceAll('@KAFKA_LOG_DIR@', join(dir, 'data')),
    );
    await run('java', [...jvmArgs(), 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', broker.props, '--standalone'], {
      timeout: 120_000,
    });
    await broker.restart();
    return broker;
  }

  get running() {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the broker on its data (after stop or kill) and waits until it answers. */
  async restart({ timeoutMs = 90_000 } = {}) {
    if (this.running) return;
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn('java', [...jvmArgs(), 'kafka.Kafka', this.props], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', resolve));
    // A test process that dies (or is killed) takes its broker with it instead of leaving a JVM behind.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    await waitForKafka(this.brokers, { timeoutMs, pid: child.pid });
  }

  /** A clean shutdown (SIGTERM), waiting for the process to end. */
  stop() {
    return this.signal('SIGTERM');
  }

  /** A crash (SIGKILL). */
  kill() {
    return this.signal('SIGKILL');
  }

  async signal(sig) {
    if (!this.running) return;
    this.child.kill(sig);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** Kills it and removes its data. */
  async destroy() {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
