import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { eventTypes, eventTypesSchema } from '../../../src/api/event-types';
import { openApiDocument } from '../../../src/api/openapi';
import {
  credentialCreateSchema,
  credentialUpdateSchema,
  destinationCreateSchema,
  destinationResourceSchema,
  destinationUpdateSchema,
  sourceCreateSchema,
} from '../../../src/api/schemas';
import { destinationConnectors } from '../../../src/destinations';
import { CAPILLARY_EVENTS } from '../../../src/sources/capillary';
import { SOURCE_KINDS } from '../../../src/sources/kinds';

type Json = Record<string, unknown>;

/** The management routes take the admin token or a console session. */
const ADMIN_SECURITY = [{ adminToken: [] }, { consoleSession: [] }];

const root = join(__dirname, '..', '..', '..');
const doc = openApiDocument() as Json & { paths: Record<string, Json>; components: { schemas: Record<string, Json> } };
const schemas = doc.components.schemas;

/** The configuration examples the project ships: config/relay.example.yaml and README's "Configuration file" block. */
const exampleFile = parse(readFileSync(join(root, 'config/relay.example.yaml'), 'utf8')) as { sources: Json[]; destinations: Json[] };
const readmeBlock = /### Configuration file[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readFileSync(join(root, 'README.md'), 'utf8'))?.[1];
const readmeExample = parse(readmeBlock ?? '') as { sources: Json[]; credentials: Json[]; destinations: Json[] };

function resolve(pointer: string): Json {
  assert.match(pointer, /^#\//, `not a local $ref: ${pointer}`);
  let at: unknown = doc;
  for (const part of pointer.slice(2).split('/')) {
    at = (at as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  assert.ok(at !== null && typeof at === 'object', `$ref ${pointer} does not resolve`);
  return at as Json;
}

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

/** The object variant of a `oneOf` union whose `discriminator` property is `value` ($refs followed). */
function variant(union: Json, discriminator: string, value: string): Json {
  const found = (union.oneOf as Json[])
    .map((v) => (typeof v.$ref === 'string' ? resolve(v.$ref) : v))
    .find((v) => (v.properties as Record<string, Json>)[discriminator]?.const === value);
  assert.ok(found, `no variant with ${discriminator} "${value}"`);
  return found;
}

/** Structural facts an entry must meet: every required field present, no field the schema lacks when it is closed. */
function assertFits(entry: Json, schema: Json, what: string): void {
  for (const key of (schema.required as string[] | undefined) ?? []) assert.ok(key in entry, `${what}: required "${key}" missing`);
  if (schema.additionalProperties === false) {
    const known = Object.keys(schema.properties as Json);
    for (const key of Object.keys(entry)) assert.ok(known.includes(key), `${what}: "${key}" is not a property of the schema`);
  }
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 for Loyalty Relay at the package version, built once, and plain JSON', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(doc.info && { title: (doc.info as Json).title, version: (doc.info as Json).version }, {
      title: 'Loyalty Relay',
      version: pkg.version,
    });
    assert.equal(openApiDocument(), doc);
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
  });

  it('has every route with exactly its methods', () => {
    const expected: Record<string, string[]> = {
      '/v1/openapi.json': ['get'],
      '/v1/event-types': ['get'],
      '/v1/event-types/{name}/schema': ['get'],
      '/v1/destination-health': ['get'],
      '/v1/destinations/{name}/health': ['get'],
      '/console/session': ['post', 'get', 'delete'],
      '/v1/destinations': ['get', 'post'],
      '/v1/destinations/{name}': ['get', 'put', 'patch', 'delete'],
      '/v1/destinations/{name}/pause': ['post'],
      '/v1/destinations/{name}/resume': ['post'],
      '/v1/credentials': ['get', 'post'],
      '/v1/credentials/{name}': ['get', 'put', 'patch', 'delete'],
      '/v1/sources': ['get', 'post'],
      '/v1/sources/{sourceId}': ['get', 'put', 'patch', 'delete'],
      '/v1/sources/{sourceId}/events': ['post'],
      '/v1/sources/{sourceId}/oauth/token': ['post'],
      '/v1/events/{sourceId}/{eventId}/redeliver': ['post'],
      '/v1/runs/{workflowId}/redeliver': ['post'],
      '/v1/redeliveries': ['post'],
      '/v1/redeliveries/{id}': ['get'],
      '/healthz': ['get'],
      '/readyz': ['get'],
      '/metrics': ['get'],
    };
    assert.deepEqual(Object.keys(doc.paths).sort(), Object.keys(expected).sort());
    const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
    for (const [path, methods] of Object.entries(expected)) {
      assert.deepEqual(
        Object.keys(doc.paths[path] ?? {}).filter((k) => METHODS.includes(k)),
        methods,
        path,
      );
    }
  });

  it('documents every path parameter', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (method === 'parameters') continue;
        const params = [...((item.parameters as Json[] | undefined) ?? []), ...(((op as Json).parameters as Json[] | undefined) ?? [])]
          .map((p) => (typeof p.$ref === 'string' ? resolve(p.$ref) : p))
          .filter((p) => p.in === 'path')
          .map((p) => p.name);
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        assert.deepEqual(params.sort(), inPath.sort(), `${method.toUpperCase()} ${path}`);
      }
    }
  });

  it('resolves every $ref to a component', () => {
    const refs = refsIn(doc);
    assert.ok(refs.length > 50, `only ${refs.length} $refs`);
    for (const ref of refs) {
      assert.match(ref, /^#\/components\/(schemas|parameters|headers)\//);
      resolve(ref);
    }
    for (const [id, schema] of Object.entries(schemas)) {
      assert.equal(schema.$schema, undefined, `${id} keeps $schema`);
      assert.equal(schema.$id, undefined, `${id} keeps $id`);
    }
  });

  it('puts the management routes behind the admin token, versions them, and lists their error codes', () => {
    const management = Object.entries(doc.paths).filter(([p]) =>
      /^\/v1\/(destinations|credentials|sources)(\/\{\w+\})?$|^\/v1\/event-types$|^\/v1\/destinations\/\{name\}\/(pause|resume)$/.test(p),
    );
    assert.equal(management.length, 9);
    for (const [path, item] of management) {
      for (const [method, op] of Object.entries(item)) {
        if (method === 'parameters') continue;
        const o = op as { security?: unknown; responses: Record<string, Json>; parameters?: Json[] };
        assert.deepEqual(o.security, ADMIN_SECURITY, `${method} ${path}`);
        assert.ok(o.responses['401'] && o.responses['403'], `${method} ${path} lacks 401/403`);
        if (method === 'put' || method === 'patch' || method === 'delete') {
          const ifMatch = o.parameters?.map((p) => resolve(p.$ref as string)).find((p) => p.name === 'If-Match');
          assert.ok(ifMatch, `${method} ${path} lacks If-Match`);
          assert.equal(ifMatch.required, method === 'delete', `${method} ${path}: If-Match required only for DELETE`);
          assert.ok(o.responses['412'] && o.responses['428'], `${method} ${path} lacks 412/428`);
        }
        const ok = o.responses['200'] ?? o.responses['201'];
        if (method !== 'delete' && /\}$/.test(path)) assert.ok((ok?.headers as Json | undefined)?.ETag, `${method} ${path} lacks ETag`);
      }
    }
    const codes = (path: string, method: string, status: string) =>
      ((((doc.paths[path]?.[method] as Json).responses as Record<string, Json>)[status]?.content as Json)['application/json'] as Json)
        .schema as { properties: { code: { enum: string[] } } };
    assert.deepEqual(codes('/v1/destinations/{name}', 'put', '409').properties.code.enum, ['immutable_field', 'credential_exists']);
    assert.deepEqual(codes('/v1/credentials/{name}', 'delete', '409').properties.code.enum, ['credential_in_use']);
    assert.deepEqual(codes('/v1/sources/{sourceId}', 'patch', '415').properties.code.enum, ['unsupported_media_type']);
    assert.ok(
      ((doc.paths['/v1/destinations/{name}']?.patch as Json).requestBody as { content: Json }).content['application/merge-patch+json'],
    );
    assert.deepEqual(codes('/v1/destinations/{name}/pause', 'post', '404').properties.code.enum, ['not_found']);
    assert.deepEqual(codes('/v1/destinations/{name}/resume', 'post', '503').properties.code.enum, [
      'store_unavailable',
      'held_runs_not_woken',
    ]);
    assert.deepEqual(codes('/v1/sources', 'post', '422').properties.code.enum, ['validation_failed']);
    for (const open of ['/v1/openapi.json', '/v1/sources/{sourceId}/events', '/v1/sources/{sourceId}/oauth/token', '/healthz']) {
      for (const op of Object.values(doc.paths[open] ?? {})) {
        const security = (op as Json).security as Json[];
        assert.ok(Array.isArray(security), `${open}: security not stated`);
        assert.ok(!security.some((s) => 'adminToken' in s), `${open} asks for the admin token`);
      }
    }
  });
});

describe('OpenAPI: throttled authentication', () => {
  it('lists 429 too_many_auth_failures with Retry-After on ingestion and on the token endpoint', () => {
    const ingest = (doc.paths['/v1/sources/{sourceId}/events'] as { post: { responses: Record<string, Json> } }).post.responses;
    const token = (doc.paths['/v1/sources/{sourceId}/oauth/token'] as { post: { responses: Record<string, Json> } }).post.responses;
    for (const answer of [ingest['429'], token['429']]) {
      assert.ok(answer, 'no 429 response');
      assert.match(String(answer.description), /too_many_auth_failures/);
      assert.ok((answer.headers as Json | undefined)?.['Retry-After'], 'no Retry-After header');
    }
    const oauthError = schemas.OAuthError as { properties: { error: { enum: string[] } } };
    assert.ok(oauthError.properties.error.enum.includes('too_many_auth_failures'));
  });
});

describe('OpenAPI schemas of the management bodies', () => {
  const kinds = Object.keys(destinationConnectors);

  it('enumerates every destination kind, in requests and resources alike', () => {
    assert.ok(kinds.length >= 3);
    for (const union of ['Destination', 'DestinationUpdate', 'DestinationResource']) {
      const schema = schemas[union] as Json;
      const consts = (schema.oneOf as Json[]).map(
        (v) => ((resolve(v.$ref as string).properties as Record<string, Json>).kind as Json).const,
      );
      assert.deepEqual(consts, kinds, union);
      assert.deepEqual(Object.keys((schema.discriminator as { mapping: Json }).mapping), kinds, union);
    }
  });

  it('accepts the shipped example destinations, in zod and in the schema structure', () => {
    const examples = [...exampleFile.destinations, ...readmeExample.destinations];
    assert.deepEqual([...new Set(examples.map((d) => d.kind))].sort(), [...kinds].sort(), 'an example of every kind');
    for (const d of examples) {
      const r = destinationCreateSchema.safeParse(d);
      assert.ok(r.success, `${String(d.name)}: ${r.error?.message}`);
      assertFits(d, variant(schemas.Destination as Json, 'kind', d.kind as string), String(d.name));
    }
  });

  it('accepts an inline credential set in a webhook request only, and `version` in updates only', () => {
    const [sink] = exampleFile.destinations;
    assert.ok(sink);
    const inline = { ...sink, auth: { name: 'sink-token', type: 'bearer', token: 't0ken' } };
    assert.ok(destinationCreateSchema.safeParse(inline).success);
    const webhook = variant(schemas.Destination as Json, 'kind', 'webhook');
    assert.deepEqual((webhook.properties as { auth: { anyOf: Json[] } }).auth.anyOf[1], { $ref: '#/components/schemas/Credential' });

    const stored = {
      ...sink,
      version: 2,
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T11:00:00.000Z',
      secrets: {},
      paused: false,
      pausedReason: null,
      pausedAt: null,
      pausedBy: null,
    };
    assert.ok(destinationResourceSchema.safeParse({ ...stored, auth: 'sink-token' }).success);
    assert.equal(destinationResourceSchema.safeParse({ ...stored, auth: inline.auth }).success, false);
    // A resource always says whether it is paused.
    const { paused, ...withoutPause } = stored;
    void paused;
    assert.equal(destinationResourceSchema.safeParse({ ...withoutPause, auth: 'sink-token' }).success, false);

    assert.ok(destinationUpdateSchema.safeParse({ ...sink, version: 3 }).success);
    assert.equal(destinationCreateSchema.safeParse({ ...sink, version: 3 }).success, false);
    assert.equal(destinationCreateSchema.safeParse({ ...sink, kind: 'fax' }).success, false);
    assert.equal(destinationCreateSchema.safeParse({ ...sink, colour: 'blue' }).success, false);
    assert.ok(((schemas.WebhookDestinationUpdate as Json).properties as Json).version);
    assert.equal(((schemas.WebhookDestination as Json).properties as Json).version, undefined);
  });

  it('accepts the shipped example credential sets', () => {
    assert.deepEqual(readmeExample.credentials.map((c) => c.type).sort(), ['apiKey', 'basic', 'bearer', 'oauth2']);
    for (const c of readmeExample.credentials) {
      assert.ok(credentialCreateSchema.safeParse(c).success, String(c.name));
      assert.ok(credentialUpdateSchema.safeParse({ ...c, version: 1 }).success, String(c.name));
      assertFits(c, variant(schemas.Credential as Json, 'type', c.type as string), String(c.name));
    }
    assert.deepEqual(variant(schemas.Credential as Json, 'type', 'basic').required, ['name', 'type', 'username', 'password']);
  });

  it('accepts the shipped example sources, `auth` without a type included', () => {
    const examples = [...exampleFile.sources, ...readmeExample.sources];
    assert.ok(examples.some((s) => !('type' in (s.auth as Json))));
    const auth = schemas.SourceAuth as Json;
    for (const s of examples) {
      assert.ok(sourceCreateSchema.safeParse(s).success, String(s.id));
      assertFits(s, variant(schemas.Source as Json, 'kind', s.kind as string), String(s.id));
      const a = s.auth as Json;
      assertFits(a, variant(auth, 'type', (a.type as string | undefined) ?? 'header'), `${String(s.id)}.auth`);
    }
    const kindsInSchema = ((schemas.Source as Json).oneOf as Json[]).map((v) => (v.properties as Record<string, Json>).kind?.const);
    assert.deepEqual(kindsInSchema, [...SOURCE_KINDS]);
  });

  it('states the rules z.toJSONSchema cannot see: kognitiv needs a name path or a fixed name', () => {
    const kognitiv = variant(schemas.Source as Json, 'kind', 'kognitiv');
    assert.deepEqual(
      (kognitiv.anyOf as Json[]).map((a) => a.required ?? ((a.properties as { mapping: Json }).mapping.required as string[])),
      [['eventName'], ['name']],
    );
    const noName = { id: 'k', kind: 'kognitiv', auth: { key: 'k' }, mapping: { memberId: '$.member.id' } };
    assert.equal(sourceCreateSchema.safeParse(noName).success, false);
    assert.ok(sourceCreateSchema.safeParse({ ...noName, eventName: 'RewardIssued' }).success);
  });
});

describe('GET /v1/event-types', () => {
  const answer = eventTypes();

  it("lists Capillary's catalog as the adapter has it, case kept", () => {
    const catalog: string[] = [...CAPILLARY_EVENTS];
    assert.deepEqual(answer.capillary, catalog);
    assert.ok(answer.capillary.includes('CouponRedeem'));
    assert.equal(answer.capillary.includes('couponRedeem'), false);
    assert.equal(answer.caseSensitive, true);
  });

  it('describes every source kind, and says the server format takes any name', () => {
    assert.deepEqual(
      answer.sourceKinds.map((k) => k.kind),
      [...SOURCE_KINDS],
    );
    assert.equal(answer.server.kind, 'server');
    assert.equal(answer.server.anyName, true);
    assert.equal(answer.server.catalog, undefined);
    const capillary = answer.sourceKinds.find((k) => k.kind === 'capillary');
    assert.deepEqual(capillary?.catalog, [...CAPILLARY_EVENTS]);
    assert.equal(capillary?.anyName, false);
    for (const k of answer.sourceKinds) assert.ok(k.nameFrom.length > 10, k.kind);
    assert.match(answer.sourceKinds.find((k) => k.kind === 'clevertap')?.nameFrom ?? '', /clevertapWebhook/);
  });

  it('matches its schema, which the OpenAPI document carries', () => {
    assert.ok(eventTypesSchema.safeParse(answer).success);
    assert.equal(eventTypesSchema.safeParse({ ...answer, caseSensitive: false }).success, false);
    assert.ok(schemas.EventTypes);
  });
});

describe('OpenAPI: the redelivery routes', () => {
  const codes = (path: string, method: string, status: string) =>
    ((((doc.paths[path]?.[method] as Json).responses as Record<string, Json>)[status]?.content as Json)['application/json'] as Json)
      .schema as { properties: { code: { enum: string[] } } };

  it('are behind the admin token and list every refusal code, with Retry-After on 503', () => {
    for (const [path, method] of [
      ['/v1/events/{sourceId}/{eventId}/redeliver', 'post'],
      ['/v1/runs/{workflowId}/redeliver', 'post'],
      ['/v1/redeliveries', 'post'],
      ['/v1/redeliveries/{id}', 'get'],
    ] as const) {
      const op = doc.paths[path]?.[method] as { security: unknown; responses: Record<string, Json> };
      assert.deepEqual(op.security, ADMIN_SECURITY, path);
      assert.ok(op.responses['401'] && op.responses['403'], path);
      assert.ok(codes(path, method, '503').properties.code.enum.includes('temporal_unavailable'), path);
      assert.ok((op.responses['503']?.headers as Json | undefined)?.['Retry-After'], `${path}: 503 without Retry-After`);
    }
    const one = '/v1/events/{sourceId}/{eventId}/redeliver';
    assert.deepEqual(codes(one, 'post', '404').properties.code.enum, ['run_not_found', 'destination_not_found']);
    assert.deepEqual(codes(one, 'post', '409').properties.code.enum, ['not_parked', 'already_delivered', 'not_failed', 'run_closed']);
    assert.deepEqual(codes(one, 'post', '422').properties.code.enum, ['validation_failed', 'not_a_destination_of_run', 'invalid_request']);
    assert.deepEqual(codes('/v1/redeliveries', 'post', '422').properties.code.enum, ['validation_failed', 'empty_range', 'too_many_runs']);
    assert.deepEqual(codes('/v1/redeliveries/{id}', 'get', '404').properties.code.enum, ['redelivery_not_found']);
    // Every code a redelivery route lists is explained (an unknown code would be echoed: "`x`: x").
    for (const path of Object.keys(doc.paths).filter((p) => /redeliver/.test(p))) {
      for (const op of Object.values(doc.paths[path] ?? {})) {
        for (const [status, response] of Object.entries(((op as Json).responses as Record<string, Json> | undefined) ?? {})) {
          if (Number(status) < 400) continue;
          const enumerated = (
            ((response.content as Json)['application/json'] as Json).schema as { properties: { code: { enum: string[] } } }
          ).properties.code.enum;
          for (const code of enumerated)
            assert.ok(!String(response.description).includes(`\`${code}\`: ${code}`), `${path} ${status}: ${code} unexplained`);
        }
      }
    }
  });

  it('documents the bulk request: since required, status one of the parked ones', () => {
    const body = (((doc.paths['/v1/redeliveries']?.post as Json).requestBody as Json).content as Json)['application/json'] as Json;
    const schema = body.schema as { required: string[]; properties: Record<string, Json>; additionalProperties: boolean };
    assert.deepEqual(schema.required, ['since']);
    assert.deepEqual(schema.properties.status?.enum, ['failed', 'partially_delivered']);
    assert.equal(schema.additionalProperties, false);
  });
});
