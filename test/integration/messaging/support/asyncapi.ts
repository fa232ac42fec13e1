/**
 * The committed asyncapi.yaml as a test oracle: every message's headers and value are validated against the schemas
 * of its channel's message for its event type (ajv, JSON Schema 2020-12, strict), and its key against the channel's
 * key schema.
 *
 *   const contract = loadAsyncApi();
 *   expect(contract.check('office-chat.users.v1', message)).toEqual([]);   // [] or readable violations
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Import from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';

const Ajv2020 = ((Ajv2020Import as unknown as { default?: unknown }).default ?? Ajv2020Import) as typeof Ajv2020Import.default;
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as typeof addFormatsImport.default;

export const ASYNCAPI_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../asyncapi.yaml');
const DOC_ID = 'https://office-chat-users.local/asyncapi.json';

type Json = Record<string, any>;

export interface WireMessage {
  readonly topic?: string;
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly value: unknown;
}

function refTarget(doc: Json, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`only local refs: ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .reduce<Json>((node, part) => node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

function deref(doc: Json, node: Json): Json {
  return node && typeof node.$ref === 'string' ? deref(doc, refTarget(doc, node.$ref)) : node;
}

const SCHEMAS = '#/components/schemas/';

function rewriteRefs(node: unknown): any {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith(SCHEMAS) ? `#/$defs/${v.slice(SCHEMAS.length)}` : rewriteRefs(v)]),
  );
}

function describe(errors: ValidateFunction['errors']): string[] {
  return (errors ?? []).map((e) => {
    const extra = (e.params as { additionalProperty?: string }).additionalProperty;
    return `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${extra ? `: "${extra}"` : ''}`;
  });
}

export class AsyncApiContract {
  private readonly ajv: InstanceType<typeof Ajv2020>;
  /** channel address → event type → { headers, payload } validators; address → key validator. */
  private readonly messages = new Map<string, Map<string, { headers: ValidateFunction; payload: ValidateFunction }>>();
  private readonly keys = new Map<string, ValidateFunction>();

  constructor(readonly doc: Json) {
    this.ajv = new Ajv2020({ strict: true, strictTypes: false, allowUnionTypes: true, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    // components.schemas under one id as $defs, their '#/components/schemas/X' refs pointing there.
    this.ajv.addSchema({ $id: DOC_ID, $defs: rewriteRefs(doc.components.schemas) });
    for (const channel of Object.values<Json>(doc.channels)) {
      const byType = new Map<string, { headers: ValidateFunction; payload: ValidateFunction }>();
      for (const [name, ref] of Object.entries<Json>(channel.messages)) {
        const message = deref(doc, ref);
        if (message.name !== name) throw new Error(`message ${name} is named ${message.name}`);
        byType.set(name, { headers: this.compile(message.headers), payload: this.compile(message.payload) });
        for (const trait of message.traits ?? []) {
          const key = deref(doc, trait).bindings?.kafka?.key;
          if (key) this.keys.set(channel.address, this.ajv.compile(key));
        }
      }
      this.messages.set(channel.address, byType);
    }
  }

  private compile(node: Json): ValidateFunction {
    if (typeof node?.$ref !== 'string' || !node.$ref.startsWith(SCHEMAS)) throw new Error('message headers and payloads are $refs to components.schemas');
    const validate = this.ajv.getSchema(`${DOC_ID}#/$defs/${node.$ref.slice(SCHEMAS.length)}`);
    if (!validate) throw new Error(`no schema at ${node.$ref}`);
    return validate;
  }

  /** The event types documented on a channel (topic). */
  eventTypes(address: string): string[] {
    return [...(this.messages.get(address)?.keys() ?? [])];
  }

  /** Violations of the contract by one message read from the channel `address`; [] when it conforms. */
  check(address: string, message: WireMessage): string[] {
    const byType = this.messages.get(address);
    if (!byType) return [`no channel ${address} in asyncapi.yaml`];
    const type = message.headers['event-type'];
    const validators = byType.get(type);
    if (!validators) return [`event type ${JSON.stringify(type)} is not documented on ${address}`];
    const problems: string[] = [];
    if (!validators.headers(message.headers)) problems.push(...describe(validators.headers.errors).map((e) => `headers${e}`));
    if (!validators.payload(message.value)) problems.push(...describe(validators.payload.errors).map((e) => `value${e}`));
    const key = this.keys.get(address);
    if (key && !key(message.key)) problems.push(...describe(key.errors).map((e) => `key ${e}`));
    return problems;
  }
}

export function loadAsyncApi(file = ASYNCAPI_FILE): AsyncApiContract {
  return new AsyncApiContract(parse(readFileSync(file, 'utf8')));
}

/** The document with its channel addresses replaced (tests publish to per-run topics). */
export function loadAsyncApiFor(addresses: { users: string; imports: string }, file = ASYNCAPI_FILE): AsyncApiContract {
  const doc = parse(readFileSync(file, 'utf8'));
  doc.channels.users.address = addresses.users;
  doc.channels.imports.address = addresses.imports;
  return new AsyncApiContract(doc);
}
