#!/usr/bin/env node
// Builds the admin portal page (src/modules/admin-portal/web) for the browser: type-checks and compiles its
// .mts modules with TypeScript's own compiler (web/tsconfig.json: DOM types, ES modules, no bundler) and copies
// index.html, styles.css and the CSV template next to them.
//
//   node src/modules/admin-portal/build-web.mjs               -> dist/modules/admin-portal/web/ (npm run build)
//   node src/modules/admin-portal/build-web.mjs --out <dir>   -> <dir> (the e2e tests build into a temp folder)
//
// Exits non-zero, printing TypeScript's diagnostics, when the page does not compile.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'web');
const packageRoot = resolve(here, '../../..');
const STATIC_FILES = ['index.html', 'styles.css', 'users-template.csv'];

export function buildAdminPortal(outDir = join(packageRoot, 'dist/modules/admin-portal/web')) {
  const out = resolve(outDir);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', join(source, 'tsconfig.json'), '--outDir', out, '--pretty', 'false'], { encoding: 'utf8' });
  if (compiled.status !== 0) {
    throw new Error(`The admin portal does not compile:\n${compiled.stdout}${compiled.stderr}`);
  }
  for (const file of STATIC_FILES) copyFileSync(join(source, file), join(out, file));
  return { outDir: out, files: readdirSync(out).sort() };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  try {
    const { outDir, files } = buildAdminPortal(at > 0 ? process.argv[at + 1] : undefined);
    process.stdout.write(`admin portal built in ${outDir} (${files.join(', ')})\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
