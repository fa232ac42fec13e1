/**
 * The committed openapi.yaml as a test oracle: response validation against the documented status codes,
 * media types, headers and schemas (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses it), and a few structural
 * checks of the document itself. Reusable for any module's routes:
 *
 *   const contract = loadContract();
 *   expect(contract.check('createUser', res)).toEqual([]);   // [] or a list of readable violations
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Import from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';

// ajv and ajv-formats are CommonJS; depending on the interop the default import is the export or holds it.
const Ajv2020 = ((Ajv2020Import as unknown as { default?: unknown }).default ?? Ajv2020Import) as typeof Ajv2020Import.default;
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as typeof addFormatsImport.default;

export const OPENAPI_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../openapi.yaml');
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Json = Record<string, any>;

export interface Operation {
  readonly operationId: string;
  readonly method: string;
  /** As written in the document: /api/v1/networks/{networkId}/users */
  readonly template: string;
  readonly spec: Json;
  /** Path-level and operation-level parameters, resolved. */
  readonly parameters: Json[];
}

/** What a response looked like on the wire (a supertest Response fits). */
export interface ObservedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  text?: string;
}

/** ajv's errors as "<where in the value> <what is wrong> (<the offending property>)". */
function describeErrors(errors: ValidateFunction['errors']): string[] {
  return (errors ?? []).map((e) => {
    const extra = (e.params as { additionalProperty?: string }).additionalProperty;
    return `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${extra ? `: "${extra}"` : ''}`;
  });
}

const SCHEMAS_ID = 'https://office-chat-users.local/openapi/schemas.json';

export class OpenApiContract {
  readonly operations: Operation[] = [];
  private readonly ajv: InstanceType<typeof Ajv2020>;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly doc: Json) {
    this.ajv = new Ajv2020({ strict: true, strictTypes: false, allowUnionTypes: true, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    // OpenAPI's own schema keywords, besides JSON Schema's.
    for (const keyword of ['example', 'discriminator', 'xml', 'externalDocs']) this.ajv.addKeyword(keyword);
    this.ajv.addSchema({ $id: SCHEMAS_ID, $defs: this.rewriteRefs(doc.components?.schemas ?? {}) });

    for (const [template, pathItem] of Object.entries<Json>(doc.paths ?? {})) {
      for (const method of HTTP_METHODS) {
        const op = pathItem[method];
        if (!op) continue;
        const parameters = [...(pathItem.parameters ?? []), ...(op.parameters ?? [])].map((p: Json) => this.deref(p));
        this.operations.push({ operationId: op.operationId, method, template, spec: op, parameters });
      }
    }
  }

  operation(operationId: string): Operation {
    const op = this.operations.find((o) => o.operationId === operationId);
    if (!op) throw new Error(`openapi.yaml has no operation ${operationId}`);
    return op;
  }

  /** Follows a local `$ref` (`#/components/...`) to the object it names. */
  deref<T extends Json>(node: T): T {
    let current: Json = node;
    for (let hops = 0; current && typeof current.$ref === 'string'; hops++) {
      if (hops > 10) throw new Error(`$ref loop at ${node.$ref}`);
      current = this.pointer(current.$ref);
    }
    return current as T;
  }

  /** Resolves a local JSON pointer such as `#/components/schemas/User`; throws when it names nothing. */
  pointer(ref: string): Json {
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
    let node: any = this.doc;
    for (const raw of ref.slice(2).split('/')) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      node = node?.[key];
      if (node === undefined) throw new Error(`$ref ${ref} does not resolve`);
    }
    return node;
  }

  /** A validator for a schema of this document (component refs resolved by ajv). */
  schemaValidator(schema: Json): ValidateFunction {
    const key = JSON.stringify(schema);
    const cached = this.validators.get(key);
    if (cached) return cached;
    const validate = this.ajv.compile(this.rewriteRefs(schema));
    this.validators.set(key, validate);
    return validate;
  }

  /** Validates a value against a named component schema; returns readable errors ([] when valid). */
  checkSchema(name: string, value: unknown): string[] {
    const validate = this.schemaValidator({ $ref: `#/components/schemas/${name}` });
    return validate(value) ? [] : describeErrors(validate.errors);
  }

  /**
   * Everything wrong with this response for this operation, per the document: an undocumented status, an
   * undocumented media type, a missing required header or a header value off its schema, a body off its
   * schema. [] when the response agrees with the document.
   */
  check(operationId: string, res: ObservedResponse): string[] {
    const op = this.operation(operationId);
    const where = `${op.method.toUpperCase()} ${op.template} → ${res.status}`;
    const documented = op.spec.responses?.[String(res.status)] ?? op.spec.responses?.[`${String(res.status)[0]}XX`];
    if (!documented) {
      return [`${where}: status ${res.status} is not documented (documented: ${Object.keys(op.spec.responses ?? {}).join(', ')})`];
    }
    const response = this.deref(documented);
    const errors: string[] = [];

    for (const [name, headerRef] of Object.entries<Json>(response.headers ?? {})) {
      const header = this.deref(headerRef);
      const value = res.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) errors.push(`${where}: required header ${name} is missing`);
        continue;
      }
      if (header.schema) {
        const validate = this.schemaValidator(header.schema);
        if (!validate(value)) errors.push(`${where}: header ${name}=${JSON.stringify(value)}: ${describeErrors(validate.errors).join('; ')}`);
      }
    }

    const contentType = String(res.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const content: Json | undefined = response.content;
    if (!content) {
      const hasBody = res.text !== undefined && res.text !== '';
      if (hasBody) errors.push(`${where}: a body was sent but the document says there is none`);
      return errors;
    }
    const media = content[contentType];
    if (!media) {
      errors.push(`${where}: content type "${contentType}" is not documented (documented: ${Object.keys(content).join(', ')})`);
      return errors;
    }
    if (media.schema) {
      const isJson = contentType === 'application/json' || contentType.endsWith('+json');
      const value = isJson ? res.body : res.text;
      const validate = this.schemaValidator(media.schema);
      if (!validate(value)) {
        errors.push(...describeErrors(validate.errors).map((e) => `${where}: body ${e}`));
      }
    }
    return errors;
  }

  /** Every `$ref` anywhere in the document, with the JSON path where it occurs. */
  refs(): { at: string; ref: string }[] {
    const found: { at: string; ref: string }[] = [];
    const walk = (node: unknown, at: string) => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${at}/${i}`));
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === '$ref' && typeof v === 'string') found.push({ at, ref: v });
          else walk(v, `${at}/${k}`);
        }
      }
    };
    walk(this.doc, '#');
    return found;
  }

  /** The `{name}` placeholders of a path template. */
  static placeholders(template: string): string[] {
    return [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  }

  private rewriteRefs<T>(node: T): T {
    if (Array.isArray(node)) return node.map((n) => this.rewriteRefs(n)) as T;
    if (node && typeof node === 'object') {
      const out: Json = {};
      for (const [k, v] of Object.entries(node)) {
        out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')
          ? `${SCHEMAS_ID}#/$defs/${v.slice('#/components/schemas/'.length)}`
          : this.rewriteRefs(v);
      }
      return out as T;
    }
    return node;
  }
}

export function loadContract(file = OPENAPI_FILE): OpenApiContract {
  return new OpenApiContract(parse(readFileSync(file, 'utf8')) as Json);
}
