/**
 * The HTTP API's bodies as zod schemas, for the OpenAPI document and the routes alike.
 * Management bodies are built from the configuration schemas — a request is exactly one entry
 * of the YAML file — so a field, a rule or a destination kind is written once, in config or in
 * its connector, and shows here by itself. Only what the file does not have is defined here:
 * error bodies, resource metadata, list envelopes and the ingestion endpoints' answers.
 */
import { z } from 'zod';
import { credentialSchema, destinationBaseSchema, sourceSchema } from '../config/schema';
import { destinationConnectors, DESTINATION_KINDS } from '../destinations';
import type { FieldIssue } from '../model/field-issue';

// ---- Errors and envelopes -------------------------------------------------------------------

export const fieldIssueSchema = z.object({
  path: z.string().describe('Dotted path of the offending field, e.g. `headers.0.key`; `(body)` for the body as a whole'),
  message: z.string(),
  rule: z
    .string()
    .optional()
    .describe(
      "Machine-readable name of the configuration rule broken, where it has one: `embedded_ipv4_address` (an IPv6 literal embedding a refused IPv4 address), `ingestion_loop` (the relay's own ingestion path)",
    ),
}) satisfies z.ZodType<FieldIssue>;

export const errorBodySchema = z
  .object({
    code: z.string().describe('Stable and machine-readable; each response lists the codes it may carry'),
    message: z.string().describe('For people: wording may change'),
    issues: z.array(fieldIssueSchema).optional().describe('One entry per violated rule (422)'),
    requestId: z.string().describe('Also the `X-Request-Id` response header'),
  })
  .describe('Every error of the relay (the OAuth token endpoint excepted) has this body');

export type ErrorBody = z.infer<typeof errorBodySchema>;

/** `{ items: [...] }`: the answer of every list route. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}

// ---- Resource metadata ----------------------------------------------------------------------

/** What redacted secret fields look like, said once for every resource. */
const REDACTION =
  'Secret fields come back redacted: `****` followed by the last four characters of the stored value (`****` alone for values too short to show any). ' +
  'Sending a redacted value back unchanged in a PUT keeps the stored secret.';

export const secretHintSchema = z
  .object({
    set: z.literal(true),
    last4: z.string().max(4).optional().describe('Last four characters of the value, when it is long enough to show them'),
  })
  .describe('A secret slot that holds a value');

const versionSchema = z.number().int().min(1);

/** Fields every stored resource has beside its entry. */
const resourceMeta = {
  version: versionSchema.describe('Increases by one on every change; the `ETag` header is `"<version>"`'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  secrets: z
    .record(z.string(), secretHintSchema)
    .describe(
      'Secret slots that hold a value, by slot: the field name (`password`, `dataApiKey`, `signingSecret`…), `header:<Key>` for a secret webhook header',
    ),
};

/** A PUT may name the version it was based on in the body instead of `If-Match`. */
const updateMeta = {
  version: versionSchema.optional().describe('The version this update is based on, when not given as `If-Match: "<version>"`'),
};

// ---- Destinations ---------------------------------------------------------------------------

/**
 * A destination setting that names a credential set; in a request it may instead hold a whole
 * credential set (a `credentials:` entry), created together with the destination.
 */
const CREDENTIAL_FIELD = 'auth';

function settingsShape(kind: string): z.ZodRawShape {
  const settings = destinationConnectors[kind]?.settingsSchema;
  if (!(settings instanceof z.ZodObject))
    throw new Error(`destination kind "${kind}": its settingsSchema must be a z.object() to be documented`);
  return settings.shape;
}

function withInlineCredential(shape: z.ZodRawShape): z.ZodRawShape {
  const byName = shape[CREDENTIAL_FIELD];
  if (byName === undefined) return shape;
  const name = byName instanceof z.ZodOptional ? (byName.unwrap() as z.ZodType) : byName;
  return {
    ...shape,
    [CREDENTIAL_FIELD]: z
      .union([name, credentialSchema])
      .optional()
      .describe(
        'The name of a credential set, or a new credential set (created with this destination; 409 `credential_exists` if its name is taken)',
      ),
  };
}

/** A destination's pause is state beside its definition: shown on reads, changed by /pause and /resume. */
const pauseStateShape = {
  paused: z.boolean().describe('Deliveries wait in their runs (held) until resumed; POST /v1/destinations/{name}/pause and /resume'),
  pausedReason: z.string().nullable().describe('What the operator gave when pausing'),
  pausedAt: z.iso.datetime().nullable().describe('When it was paused (the first pause: pausing again changes nothing)'),
  pausedBy: z
    .enum(['operator', 'breaker'])
    .nullable()
    .describe('Who paused it: an operator, or the circuit breaker (automatic pause: probed, resumed on a 2xx); null when not paused'),
};

type Variant = 'create' | 'update' | 'resource';

/** One destination kind: the fields every destination has, then the kind's own (which are strict). */
function destinationOf(kind: string, variant: Variant) {
  const own = settingsShape(kind);
  return z.strictObject({
    ...destinationBaseSchema.shape,
    kind: z.literal(kind),
    ...(variant === 'resource' ? own : withInlineCredential(own)),
    ...(variant === 'resource' ? { ...resourceMeta, ...pauseStateShape } : variant === 'update' ? updateMeta : {}),
  });
}

type DestinationVariantSchema = ReturnType<typeof destinationOf>;

function destinationsByKind(variant: Variant): Record<string, DestinationVariantSchema> {
  return Object.fromEntries(DESTINATION_KINDS.map((kind) => [kind, destinationOf(kind, variant)]));
}

function oneOfKinds(byKind: Record<string, DestinationVariantSchema>) {
  const [first, ...rest] = Object.values(byKind);
  if (!first) throw new Error('no destination kinds are registered');
  return z.discriminatedUnion('kind', [first, ...rest]);
}

/** POST /v1/destinations, per kind (keys of destinationConnectors). */
export const destinationCreateByKind = destinationsByKind('create');
/** PUT /v1/destinations/{name}, per kind. */
export const destinationUpdateByKind = destinationsByKind('update');
/** A stored destination, per kind. */
export const destinationResourceByKind = destinationsByKind('resource');

export const destinationCreateSchema = oneOfKinds(destinationCreateByKind).describe(
  'One `destinations:` entry of the configuration file. `kind`, `events` and `sources` cannot change later (409 `immutable_field`).',
);
export const destinationUpdateSchema = oneOfKinds(destinationUpdateByKind).describe(
  'The whole destination, as when created; `kind`, `events` and `sources` must keep their values (409 `immutable_field`).',
);
export const destinationResourceSchema = oneOfKinds(destinationResourceByKind).describe(
  `A destination as stored, defaults filled in; an inline credential set given at creation appears as its name. ${REDACTION}`,
);

// ---- Credential sets and sources ------------------------------------------------------------

/** Adds `shape` to every option of a discriminated union of objects (the config schemas' unions). */
function extendEach(options: readonly z.ZodObject[], discriminator: string, shape: z.ZodRawShape) {
  const [first, ...rest] = options.map((o) => o.safeExtend(shape));
  if (!first) throw new Error(`a union by ${discriminator} without options`);
  return z.discriminatedUnion(discriminator, [first, ...rest]);
}

/** POST /v1/credentials: one `credentials:` entry. */
export const credentialCreateSchema = credentialSchema;
export const credentialUpdateSchema = extendEach(credentialSchema.options, 'type', updateMeta).describe(
  'The whole credential set, as when created.',
);
export const credentialResourceSchema = extendEach(credentialSchema.options, 'type', {
  ...resourceMeta,
  referencedBy: z.array(z.string()).describe('Names of the destinations that use this credential set (it cannot be deleted while any do)'),
}).describe(`A credential set as stored. ${REDACTION}`);

/** POST /v1/sources: one `sources:` entry. */
export const sourceCreateSchema = sourceSchema;
export const sourceUpdateSchema = extendEach(sourceSchema.options, 'kind', updateMeta).describe('The whole source, as when created.');
export const sourceResourceSchema = extendEach(sourceSchema.options, 'kind', resourceMeta).describe(
  `A source as stored; its events are posted to /v1/sources/{id}/events. ${REDACTION}`,
);

export const destinationListSchema = listOf(destinationResourceSchema);

export const pauseRequestSchema = z
  .strictObject({ reason: z.string().max(500).nullable().optional().describe('Why; shown on the destination until it resumes') })
  .describe('Optional: the body may be left out');
export const pauseStateSchema = z
  .object({
    name: z.string(),
    ...pauseStateShape,
    woken: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Resume only: runs holding deliveries for the destination that were signalled to deliver them'),
  })
  .describe("The destination's pause state after the request");
export const credentialListSchema = listOf(credentialResourceSchema);
export const sourceListSchema = listOf(sourceResourceSchema);

// ---- Ingestion (the receiver's own routes) --------------------------------------------------

export const ingestBodySchema = z
  .record(z.string(), z.unknown())
  .describe("The sender's JSON as its source kind defines it (README: Sources → Source kinds); a batch for moengage and clevertap");

export const eventAcceptedSchema = z.object({
  eventId: z.string().describe("The sender's event id, or `sha256-…` of the body when it has none"),
  workflowId: z.string().describe('`relay:<sourceId>:<eventId>`'),
  duplicate: z.literal(true).optional().describe('This event had already been accepted'),
});

export const batchResultSchema = z.object({
  index: z.number().int().min(0),
  status: z.enum(['accepted', 'duplicate', 'rejected', 'unavailable']),
  eventId: z.string().optional(),
  workflowId: z.string().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  issues: z.array(fieldIssueSchema).optional(),
});

export type BatchResult = z.infer<typeof batchResultSchema>;

const batchCounts = {
  requestId: z.string(),
  accepted: z.number().int().min(0),
  duplicates: z.number().int().min(0),
  rejected: z.number().int().min(0),
  unavailable: z.number().int().min(0),
  results: z.array(batchResultSchema).describe('One per event of the batch, in order'),
};

export const batchAnswerSchema = z.object(batchCounts).describe('Every event of the batch is final: accepted, duplicate or rejected');

export const batchUnavailableSchema = z
  .object({ code: z.literal('temporal_unavailable'), message: z.string(), ...batchCounts })
  .describe('Some events could not be started; resend the whole batch (started events come back as duplicates)');

export const oauthTokenRequestSchema = z.object({
  grant_type: z.literal('client_credentials'),
  client_id: z.string().optional().describe('client_secret_post; or authenticate with HTTP Basic (client_secret_basic)'),
  client_secret: z.string().optional(),
  scope: z.literal('events:write').optional(),
});

export const oauthTokenSchema = z.object({
  access_token: z.string().describe('An HS256 JWT for this source'),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().describe("Seconds: the source's `tokenTtlSeconds`"),
  scope: z.literal('events:write'),
});

export const oauthErrorSchema = z
  .object({
    error: z
      .enum(['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_scope', 'too_many_auth_failures'])
      .describe('RFC 6749 codes, and `too_many_auth_failures` (429: too many failed client authentications; see Retry-After)'),
    error_description: z.string(),
  })
  .describe('RFC 6749 §5.2');

export type OAuthError = z.infer<typeof oauthErrorSchema>;

export const healthSchema = z.object({ status: z.literal('ok') });
export const readinessSchema = z.object({ status: z.enum(['ready', 'temporal_unreachable']) });
