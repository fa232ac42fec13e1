// npm run bench:import [-- N]: generates a CSV of N users (default 1,000,000; the guide's columns, with
// managers), imports it with the CLI on a real PostgreSQL (a fresh database), re-imports the unchanged file, imports
// it once more with every user's title changed (an update of every user, which has no target), then
// loads the same file with COPY into a plain table with a unique e-mail index as the physical-limit baseline, and
// times PostgreSQL alone loading the events and users rows the first import wrote (the ceiling of this design).
// Prints rows/s, the ratios, and the import process's peak RSS. Uses DATABASE_URL's server, else 127.0.0.1:5432.
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import pg from 'pg';

const N = Number(process.argv[2] ?? process.env.BENCH_ROWS ?? 1_000_000);
const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `ocu_bench_${Date.now()}`;
const dbUrl = Object.assign(new URL(server), { pathname: `/${dbName}` }).toString();
const run = promisify(execFile);

async function generate(file, title = 'Engineer') {
  const out = createWriteStream(file);
  out.write('"name","firstname","lastname","email/login","title","mobile","manager","Enabled"\n');
  for (let i = 0; i < N; i++) {
    // A tree of ten reports per manager; one manager in fifty appears on a later line (a forward reference).
    const manager = i === 0 ? '' : `user${i % 50 === 0 ? Math.min(N - 1, i + 1) : Math.floor((i - 1) / 10)}@bench.example`;
    const line = `"First${i} Last${i}","First${i}","Last${i}","user${i}@bench.example","${title} ${i % 100}","(+91)${String(7000000000 + i)}","${manager === `user${i}@bench.example` ? '' : manager}","TRUE"\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

// The bin runs as users run it: with its shebang line's environment (NAME=value) and Node flags (--flag).
const shebang = readFileSync('dist/cli/main.js', 'utf8').split('\n')[0].split(/\s+/);
const binEnv = Object.fromEntries(shebang.filter((w) => /^[A-Z_]+=/.test(w)).map((w) => w.split('=')));
const binFlags = shebang.filter((w) => w.startsWith('--'));

/** Runs the CLI import under /usr/bin/time to read its peak RSS; returns seconds, the report and the RSS in MiB. */
async function cliImport(file, mode) {
  const started = process.hrtime.bigint();
  const args = ['-f', 'MAXRSS_KB=%M', process.execPath, ...binFlags, 'dist/cli/main.js', 'import', file, '--network', 'bench', '--mode', mode, '--json'];
  const child = spawn('/usr/bin/time', args, {
    // The generated file is about 140 bytes a user: above the 100 MiB default for a million users.
    env: { ...process.env, ...binEnv, DATABASE_URL: dbUrl, LOG_LEVEL: 'warn', IMPORT_MAX_FILE_BYTES: String(1024 * 1024 * 1024) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`import exited ${code}\n${stderr}`);
  const rssKb = Number(/MAXRSS_KB=(\d+)/.exec(stderr)?.[1] ?? NaN);
  return { seconds, report: JSON.parse(stdout), rssMiB: rssKb / 1024 };
}

async function copyBaseline(file) {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  await client.query(`CREATE TABLE copy_baseline (name text, firstname text, lastname text, email text, title text, mobile text, manager text, enabled text)`);
  await client.query(`CREATE UNIQUE INDEX ON copy_baseline (lower(email))`);
  await client.end();
  const started = process.hrtime.bigint();
  await run('psql', [dbUrl, '-q', '-c', `\\copy copy_baseline FROM '${file}' WITH (FORMAT csv, HEADER true)`]);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * The ceiling of this design: PostgreSQL alone writing what a first import of these users must write (their
 * events and their rows in the users table, both with all their indexes), by COPY from files, no Node at all.
 */
async function writeCeiling(dir) {
  const events = join(dir, 'events.copy');
  const users = join(dir, 'users.copy');
  const eventColumns = 'event_id, network_id, stream_type, stream_id, stream_version, type, schema_version, data, metadata_id, recorded_at';
  await run('psql', [dbUrl, '-q', '-c', `\\copy (SELECT ${eventColumns} FROM events WHERE stream_type = 'user') TO '${events}'`]);
  await run('psql', [dbUrl, '-q', '-c', `\\copy users TO '${users}'`]);
  await run('psql', [dbUrl, '-q', '-c', 'CREATE TABLE ceiling_events (LIKE events INCLUDING ALL); CREATE TABLE ceiling_users (LIKE users INCLUDING ALL)']);
  const started = process.hrtime.bigint();
  await run('psql', [dbUrl, '-q', '-c', `\\copy ceiling_events (${eventColumns}) FROM '${events}'`, '-c', `\\copy ceiling_users FROM '${users}'`]);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

const dir = await mkdtemp(join(tmpdir(), 'ocu-bench-'));
const file = join(dir, 'users.csv');
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
try {
  process.stderr.write(`generating ${fmt(N)} users…\n`);
  await generate(file);
  await run(process.execPath, ['dist/cli/main.js', 'migrate'], { env: { ...process.env, DATABASE_URL: dbUrl } });

  const first = await cliImport(file, 'update');
  const c = first.report.counts;
  if (first.report.status !== 'completed' || c.created !== N) throw new Error(`first import: ${JSON.stringify(first.report)}`);
  const again = await cliImport(file, 'update');
  if (again.report.counts.unchanged !== N) throw new Error(`re-import: ${JSON.stringify(again.report.counts)}`);
  const copySeconds = await copyBaseline(file);
  // Before the update below, which adds an event to every user: the ceiling is what the first import wrote.
  const ceilingSeconds = await writeCeiling(dir);
  const changedFile = join(dir, 'users-new-titles.csv');
  await generate(changedFile, 'Staff Engineer');
  const changed = await cliImport(changedFile, 'update');
  if (changed.report.counts.updated !== N) throw new Error(`update of every user: ${JSON.stringify(changed.report.counts)}`);

  const firstRate = N / first.seconds;
  const againRate = N / again.seconds;
  const changedRate = N / changed.seconds;
  const copyRate = N / copySeconds;
  const ceilingRate = N / ceilingSeconds;
  const lines = [
    `rows                         ${fmt(N)}`,
    `first import (all new)       ${first.seconds.toFixed(1)} s  ${fmt(firstRate)} rows/s  (target 50,000: ${(firstRate / 50_000).toFixed(2)}x)  peak RSS ${fmt(first.rssMiB)} MiB`,
    `re-import (all unchanged)    ${again.seconds.toFixed(1)} s  ${fmt(againRate)} rows/s  (target 150,000: ${(againRate / 150_000).toFixed(2)}x)  peak RSS ${fmt(again.rssMiB)} MiB`,
    `update of every user         ${changed.seconds.toFixed(1)} s  ${fmt(changedRate)} rows/s  (no target)  peak RSS ${fmt(changed.rssMiB)} MiB`,
    `COPY baseline                ${copySeconds.toFixed(1)} s  ${fmt(copyRate)} rows/s`,
    `import / COPY                ${(firstRate / copyRate).toFixed(2)} (first), ${(againRate / copyRate).toFixed(2)} (re-import)`,
    `events + users rows by COPY  ${ceilingSeconds.toFixed(1)} s  ${fmt(ceilingRate)} rows/s  (PostgreSQL alone writing what a first import writes)`,
    `first import / that          ${(firstRate / ceilingRate).toFixed(2)}`,
    `peak RSS target 256 MiB      ${Math.max(first.rssMiB, again.rssMiB, changed.rssMiB) < 256 ? 'met' : 'MISSED'}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
}
