import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The file that proves a directory holds a built admin portal (the page's entry module). */
export const ADMIN_PORTAL_ENTRY = 'main.mjs';

/**
 * Where the built page is: `ADMIN_PORTAL_DIR` when set (the e2e tests build into a temporary folder), else
 * `web/` next to this module, which `npm run build` fills in `dist/modules/admin-portal/web/`.
 */
export function adminPortalDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.ADMIN_PORTAL_DIR?.trim();
  return given ? given : fileURLToPath(new URL('./web/', import.meta.url));
}

/** True when the directory holds a build (from src/ it holds the page's sources, which browsers cannot run). */
export function isBuilt(directory: string): boolean {
  return existsSync(join(directory, 'index.html')) && existsSync(join(directory, ADMIN_PORTAL_ENTRY));
}
