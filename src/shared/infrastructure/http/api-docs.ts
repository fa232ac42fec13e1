import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';

// openapi.yaml sits at the package root, four levels above this file in src/ and in dist/ alike.
export const OPENAPI_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../openapi.yaml');

const INDEX = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>office-chat-users API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.yaml', dom_id: '#swagger-ui', persistAuthorization: true });`;

/** Swagger UI at /api/docs, served from the package's own files (no CDN), reading the committed openapi.yaml. */
export function mountApiDocs(app: Express): void {
  const spec = readFileSync(OPENAPI_PATH, 'utf8');
  app.get('/api/openapi.yaml', (_req, res) => res.type('application/yaml').send(spec));
  app.get(['/api/docs', '/api/docs/'], (_req, res) => res.type('html').send(INDEX));
  app.get('/api/docs/init.js', (_req, res) => res.type('application/javascript').send(INIT));
  // The package's folder, found without loading its 1 MB bundle into this process.
  const assets = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  app.use('/api/docs/assets', express.static(assets, { index: false }));
}

