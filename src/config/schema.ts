/**
 * The relay configuration file (YAML, named by RELAY_CONFIG), as zod schemas.
 * README.md "Configuration file" documents every field; keep the two in step.
 */
import { z } from 'zod';
import { idPattern, sourceSchema } from '../model/source';

// Sources (kinds, auth schemes, per-kind settings) live in the model: src/model/source.ts.
export { sourceSchema };

export const enrichmentSchema = z
  .object({
    /** Look up the customer's available points balance in the loyalty API (LOYALTY_API_URL). */
    pointsBalance: z.boolean().default(false),
    /** Look up the customer's identifiers in this source of the loyalty API (e.g. INSTORE). */
    customerIdentifiers: z
      .string()
      .regex(/^[A-Za-z_]+$/, 'a source name such as INSTORE')
      .optional(),
    /** Include the customer's card numbers; needs `customerIdentifiers` (the source they come from). */
    cardNumbers: z.boolean().default(false),
    /** The store of the triggering activity (Capillary `triggeringActivity.enteredBy.store`). */
    store: z.boolean().default(false),
    /** The till of the triggering activity (Capillary `triggeringActivity.enteredBy.till`). */
    till: z.boolean().default(false),
    /** The reference id of the transaction that awarded the points (Capillary `refId`). */
    awardedReferenceId: z.boolean().default(false),
  })
  .strict();

/**
 * The fields every destination has. The kind's own fields sit beside them in the same entry
 * and are validated by the kind's connector (src/destinations/<kind>.ts).
 */
export const destinationBaseSchema = z.looseObject({
  name: z.string().describe('Unique (case-sensitive), at most 200 characters, no trailing spaces; the key of /v1/destinations/{name}'),
  kind: z.string().min(1, 'kind is required').describe('One of the kinds in src/destinations/index.ts: webhook, moengage, customerglu'),
  description: z.string().optional().describe('For people; not sent anywhere'),
  enabled: z.boolean().default(true).describe('A disabled destination receives nothing and is not subscribed'),
  paused: z
    .boolean()
    .optional()
    .describe(
      "Created paused: deliveries wait in their runs (held) until resumed. Sets the initial state only: after creation, pause and resume with the API or `relay pause|resume` (an apply does not undo an operator's pause)",
    ),
  pausedReason: z.string().max(500).nullable().optional().describe('Why it is paused (with `paused: true`), shown to operators'),
  events: z
    .array(z.string().min(1))
    .min(1, 'subscribe to at least one event')
    .describe('Subscribed event names, case-sensitive (e.g. pointsIssued, tierUpgraded, customerAdded)'),
  sources: z.array(z.string().min(1)).optional().describe('Only events from these source ids; all sources when absent'),
  slaSeconds: z.number().int().positive().default(60).describe('Delivery SLA: slower deliveries are flagged, not abandoned'),
  maxConnections: z
    .number()
    .int()
    .positive()
    .max(1000)
    .default(10)
    .describe('Requests in flight to this destination, all worker processes together (sockets: at most this many per process)'),
  timeoutSeconds: z.number().positive().max(300).default(10).describe('Per request'),
  retryWindowSeconds: z
    .number()
    .int()
    .positive()
    .default(24 * 60 * 60)
    .describe('How long retryable failures (408, 425, 429, 5xx, network) are retried'),
  parkingPeriodSeconds: z
    .number()
    .int()
    .positive()
    .max(90 * 24 * 60 * 60)
    .default(7 * 24 * 60 * 60)
    .describe(
      "How long a run whose delivery here failed stays parked, waiting for a redelivery or an abandon, before it ends as Failed (Capillary's own retry horizon: 7 days)",
    ),
  circuitBreaker: z
    .object({
      enabled: z.boolean().optional().describe('false: never paused automatically (default true)'),
      failureWindowMinutes: z
        .number()
        .nonnegative()
        .max(7 * 24 * 60)
        .optional()
        .describe('Paused when failing this long without a 2xx (default 30)…'),
      minFailedAttempts: z
        .number()
        .int()
        .positive()
        .max(1_000_000)
        .optional()
        .describe('…with at least this many failed attempts (default 20)'),
    })
    .strict()
    .optional()
    .describe('Automatic pause of a destination that keeps failing or answers 410 Gone; probed, resumed on a 2xx'),
  enrichment: enrichmentSchema
    .default({ pointsBalance: false, cardNumbers: false, store: false, till: false, awardedReferenceId: false })
    .describe('Lookups made before mapping; a destination sees only the enrichment it chose'),
});

export const DESTINATION_BASE_KEYS = Object.keys(destinationBaseSchema.shape);

const credentialName = z.string().regex(idPattern, 'letters, digits, "_", "." or "-", at most 64, starting with a letter or digit');

/** Credential sets; secret fields are usually `${ENV_VAR}` references (resolved at send time). */
export const credentialSchema = z.discriminatedUnion('type', [
  z.object({ name: credentialName, type: z.literal('basic'), username: z.string().min(1), password: z.string().min(1) }).strict(),
  z.object({ name: credentialName, type: z.literal('bearer'), token: z.string().min(1) }).strict(),
  z.object({ name: credentialName, type: z.literal('apiKey'), header: z.string().min(1), value: z.string().min(1) }).strict(),
  z
    .object({
      name: credentialName,
      type: z.literal('oauth2'),
      tokenUrl: z.string().min(1),
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      scope: z.string().optional(),
      audience: z.string().optional(),
      clientAuth: z.enum(['basic', 'body']).default('basic'),
      /** Development opt-in: allow plain http:// token URLs on localhost. */
      allowInsecureHttp: z.boolean().default(false),
    })
    .strict(),
]);

export const outboundSchema = z
  .object({
    /**
     * CIDR ranges destinations may reach although they are loopback, private, link-local or
     * metadata addresses (refused by default), e.g. `127.0.0.1/32` for local development.
     */
    allowPrivateNetworks: z.array(z.string()).default([]),
  })
  .strict();

/**
 * The operational alert webhook (README "Alerts"): configured like a webhook destination's URL
 * and headers, always Standard Webhooks signed. Its `${VAR}`s are the worker's own secrets.
 */
export const alertsSchema = z
  .object({
    url: z.string().min(1, 'url is required'),
    /** `whsec_…`, usually a `${ENV_VAR}` reference. */
    secret: z.string().min(1, 'secret is required (alerts are always signed)'),
    headers: z.record(z.string(), z.string()).optional(),
    timeoutSeconds: z.number().positive().max(300).default(10),
    /** Development opt-in: allow plain http:// to localhost. */
    allowInsecureHttp: z.boolean().default(false),
  })
  .strict();

export const relayConfigSchema = z
  .object({
    sources: z.array(sourceSchema).default([]),
    credentials: z.array(credentialSchema).default([]),
    destinations: z.array(destinationBaseSchema).default([]),
    outbound: outboundSchema.default({ allowPrivateNetworks: [] }),
    alerts: alertsSchema.optional(),
  })
  .strict();

export type { SourceConfigInput } from '../model/source';
export type DestinationConfigInput = z.infer<typeof destinationBaseSchema>;
export type CredentialInput = z.infer<typeof credentialSchema>;
export type AlertsConfigInput = z.infer<typeof alertsSchema>;
export type RelayConfigInput = z.infer<typeof relayConfigSchema>;
