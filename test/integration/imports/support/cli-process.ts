/** The built CLI run as operators run it: a child process whose output is collected until it exits. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './service-process.js';

export const CLI_MAIN = join(ROOT, 'dist/cli/main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Cli {
  readonly child: ChildProcess;
  readonly done: Promise<CliRun>;
}

/**
 * Starts `node script args…` with only PATH from this process's environment and `env` on top (so a developer's own
 * DATABASE_URL or KAFKA_BROKERS never leaks in); killed after `timeoutMs`.
 */
export function spawnCli(args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs: number; script?: string }): Cli {
  const child = spawn(process.execPath, [options.script ?? CLI_MAIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}
