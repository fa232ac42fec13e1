/**
 * The Docker files as a configuration: the service's environment in docker/compose.yaml, on top of the image's
 * own (docker/Dockerfile's ENV, NODE_ENV=production among it), starts the service, given the one value compose
 * asks the person starting it for; and the compose file carries no token secret that would be everyone's.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/shared/infrastructure/config/app-config.js';

const DOCKER = join(dirname(fileURLToPath(import.meta.url)), '../../../docker');
const compose = parse(readFileSync(join(DOCKER, 'compose.yaml'), 'utf8')) as { services: { users: { environment: Record<string, string> } } };
const environment = compose.services.users.environment;

/** `ENV A=1 B=2` lines of the final stage. */
function imageEnv(): Record<string, string> {
  const dockerfile = readFileSync(join(DOCKER, 'Dockerfile'), 'utf8');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const pairs = [...finalStage.matchAll(/^ENV (.+)$/gm)].flatMap((m) => m[1].trim().split(/\s+/));
  return Object.fromEntries(pairs.map((pair) => pair.split('=') as [string, string]));
}

/** Compose's `${NAME:?message}`: the value the person starting it must give. */
const REQUIRED = /^\$\{([A-Z_]+):\?[^}]+\}$/;

describe('docker/compose.yaml with docker/Dockerfile', () => {
  it('has no token secret of its own: AUTH_JWT_SECRET must be given when it starts', () => {
    expect(environment.AUTH_JWT_SECRET).toMatch(REQUIRED);
  });

  it('starts the service in production once that secret is given', () => {
    const given = Object.fromEntries(
      Object.entries({ ...imageEnv(), ...environment }).map(([name, value]) => [name, REQUIRED.test(value) ? 'q7Vb0cX1n9LkR2s8TzWm4pYd6HfJa3Ge5Ui0Oo+/=' : value]),
    );
    expect(given.NODE_ENV).toBe('production');
    const config = loadConfig(given);
    expect(config).toMatchObject({ port: 3000, publicBaseUrl: 'http://localhost:3000', kafkaBrokers: ['kafka:19092'] });
    expect(config.auth.usesDevelopmentSecret).toBe(false);
  });
});
