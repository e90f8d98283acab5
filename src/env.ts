/**
 * Every environment variable the relay reads, in one zod schema, parsed once at start by the
 * entry points. README.md "Configuration" lists the same variables; keep them in step.
 */
import type { ServerOptions } from 'node:http';
import { z } from 'zod';
import { signingSecretProblem } from './destinations/signing';
import { parseCidr } from './http/outbound-guard';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

export const envSchema = z.object({
  PORT: port.default(8080).describe('Receiver HTTP port.'),
  HOST: z.string().default('0.0.0.0').describe('Receiver bind address.'),
  RELAY_CONFIG: z
    .string()
    .optional()
    .describe('YAML configuration file applied to the store at start (create or update by name); unset = the store as it is.'),
  RELAY_DATA_DIR: z.string().default('data').describe('Folder for the embedded Temporal database and other local state.'),
  RELAY_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024)
    .describe('Largest accepted request body.'),
  RELAY_EXTRA_CA_CERTS: z.string().optional().describe('PEM file of extra CAs trusted for outbound HTTPS.'),
  RELAY_START_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5000)
    .describe('Deadline for starting a workflow before answering 503.'),
  RELAY_HEADERS_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe(
      'Receiver: time a client has to send the request line and headers before 408 and close (Node default 60 s). Webhook senders send headers at once; 10 s leaves room for slow links. At most RELAY_REQUEST_TIMEOUT_MS, and keep it above RELAY_KEEP_ALIVE_TIMEOUT_MS.',
    ),
  RELAY_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(30_000)
    .describe(
      'Receiver: time a client has to send the whole request, headers and body, before 408 and close (Node default 300 s). 30 s carries RELAY_MAX_BODY_BYTES (1 MiB) at ~35 KB/s yet stops a slow-body client holding a connection for minutes.',
    ),
  RELAY_KEEP_ALIVE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5_000)
    .describe(
      'Receiver: how long an idle keep-alive connection stays open for the next request (Node default 5 s). Behind a load balancer make it longer than its idle timeout (and RELAY_HEADERS_TIMEOUT_MS longer still), or it may reuse a connection the relay is closing (502).',
    ),
  RELAY_MAX_JSON_DEPTH: z.coerce.number().int().min(2).max(512).default(32).describe('Deepest object/array nesting accepted in a body.'),
  RELAY_MAX_FUTURE_SKEW_SECONDS: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(300)
    .describe('Event times further ahead of the receiver clock than this are refused (timestamp_in_future).'),
  RELAY_MAX_HOPS: z.coerce
    .number()
    .int()
    .min(1)
    .max(999)
    .default(3)
    .describe(
      'Requests whose x-loyalty-relay-hops header (relays passed through) is at least this are refused (too_many_hops): loop protection.',
    ),
  RELAY_REDELIVERY_MAX_RUNS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(10_000)
    .describe('Most parked runs one bulk redelivery (POST /v1/redeliveries) may cover; more matching is refused (422 too_many_runs).'),
  RELAY_AUTH_FAILURES_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe(
      'Failed authentications (wrong source key, signature, bearer token or token-endpoint client secret) from one client address within RELAY_AUTH_FAILURE_WINDOW_SECONDS, after which that address is answered 429 too_many_auth_failures until the window ends.',
    ),
  RELAY_AUTH_FAILURES_PER_SOURCE: z.coerce
    .number()
    .int()
    .min(1)
    .default(100)
    .describe(
      "Failed authentications on one source's ingestion (or on its token endpoint, i.e. its client id) from any address within the window, after which the source (or token endpoint) is answered 429 until the window ends: guessing from many addresses.",
    ),
  RELAY_AUTH_FAILURE_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(60)
    .describe('Window of the failed-authentication limits, from the first failure; also the longest Retry-After.'),
  RELAY_AUTH_THROTTLE_MAX_ADDRESSES: z.coerce
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe('Client addresses whose failures are tracked at most (oldest forgotten first): bounds the memory of the throttle.'),
  RELAY_TRUST_PROXY: z
    .string()
    .optional()
    .describe(
      "Receiver behind a proxy or load balancer: which peers' X-Forwarded-For names the client address (Express `trust proxy`: a hop count, `loopback`, CIDR ranges comma-separated, or true); unset = the socket's address. The failure limits count per client address.",
    ),
  RELAY_TOKEN_SIGNING_KEY: z
    .string()
    .min(32, 'use at least 32 characters (e.g. openssl rand -base64 48)')
    .optional()
    .describe('HS256 key of the bearer tokens issued to OAuth sources; unset = a random key per process (tokens die on restart).'),
  RELAY_ADMIN_TOKEN: z
    .string()
    .min(24, 'use at least 24 characters (e.g. openssl rand -base64 32)')
    .optional()
    .describe('Bearer token of the management API (/v1/destinations, /v1/credentials, /v1/sources); unset = the API is disabled.'),
  RELAY_CONSOLE_SESSION_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(8 * 3600)
    .describe('How long a web console session (signed in with RELAY_ADMIN_TOKEN at /console) lasts; it is not extended by use.'),
  RELAY_TEMPORAL_UI_URL: z
    .url()
    .optional()
    .describe(
      "Base URL of the Temporal Web UI the console links failed runs to (e.g. https://temporal.example.com or https://cloud.temporal.io); unset = the embedded dev server's UI under npm start, else no links.",
    ),
  RELAY_ALLOW_PRIVATE_NETWORKS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .superRefine((ranges, ctx) => {
      for (const range of ranges) {
        try {
          parseCidr(range);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      }
    })
    .optional()
    .describe(
      "Comma-separated CIDR ranges destinations may reach although private or loopback (adds to the file's outbound.allowPrivateNetworks).",
    ),
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe('production refuses to start without RELAY_MASTER_KEY; development and test make a key in RELAY_DATA_DIR.'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  RELAY_LOG_FORMAT: z
    .enum(['json', 'pretty'])
    .optional()
    .describe('json: one JSON object per line; pretty: readable lines (pino-pretty). Unset: pretty when stdout is a terminal, else JSON.'),

  DATABASE_URL: z
    .string()
    .optional()
    .describe('postgres:// URL of the PostgreSQL config store; unset = embedded PGlite in RELAY_DATA_DIR/config-db (one process only).'),
  RELAY_MASTER_KEY: z
    .string()
    .optional()
    .describe('32 bytes as base64 or hex (openssl rand -base64 32) sealing the config store secrets; required when NODE_ENV=production.'),
  RELAY_MASTER_KEY_PREVIOUS: z
    .string()
    .optional()
    .describe('Comma-separated older master keys, still accepted for reading while secrets are re-sealed after a rotation.'),

  RELAY_CLAIM_CHECK_THRESHOLD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(128 * 1024)
    .describe(
      'Claim check: a Temporal payload larger than this is stored (encrypted, once) in the config database and history holds a reference. 128 KiB: ordinary events never touch the database; 32 payloads at the limit still fit one 4 MB workflow task.',
    ),
  RELAY_CLAIM_CHECK_RETENTION_HOURS: z.coerce
    .number()
    .positive()
    .optional()
    .describe(
      "Claim check: the Temporal namespace's retention, in hours; unset = asked from Temporal (DescribeNamespace). A stored payload is deleted once unreferenced for this long plus the longest time a run can stay open (retry window + parking period).",
    ),
  RELAY_CLAIM_CHECK_CLEANUP_MINUTES: z.coerce
    .number()
    .positive()
    .default(60)
    .describe('Claim check: how often the worker deletes stored payloads past their retention.'),

  RELAY_PAYLOAD_ENCRYPTION: bool
    .default(true)
    .describe(
      'Seal every payload the relay writes to Temporal with AES-256-GCM under a key derived from RELAY_MASTER_KEY. false is a bench and diagnostic switch only (plaintext PII in history); sealed payloads are still read.',
    ),
  RELAY_CODEC_TOKEN: z
    .string()
    .min(24, 'use at least 24 characters (e.g. openssl rand -base64 32)')
    .optional()
    .describe(
      'Bearer token of the codec endpoints (POST /codec/decode, /codec/encode) the Temporal UI and CLI call to show decoded payloads; unset = only the embedded dev server UI of `npm start` may call them.',
    ),
  RELAY_CODEC_CORS_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim().replace(/\/+$/, ''))
        .filter(Boolean),
    )
    .optional()
    .describe(
      'Comma-separated browser origins allowed to call the codec endpoints (your Temporal UI, e.g. https://cloud.temporal.io); the embedded UI is always allowed.',
    ),
  RELAY_CODEC_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024)
    .describe('Largest codec request body; larger ones are refused with 413.'),

  TEMPORAL_ADDRESS: z.string().optional().describe('host:port of an existing Temporal server; unset = embedded dev server.'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('loyalty-relay'),
  TEMPORAL_API_KEY: z.string().optional().describe('API key (Temporal Cloud); implies TLS.'),
  TEMPORAL_TLS: bool.optional().describe('Use TLS to TEMPORAL_ADDRESS (default: on when a TLS file or API key is given).'),
  TEMPORAL_TLS_CERT: z.string().optional().describe('Client certificate (PEM file) for mTLS.'),
  TEMPORAL_TLS_KEY: z.string().optional().describe('Client key (PEM file) for mTLS.'),
  TEMPORAL_TLS_CA: z.string().optional().describe('Server CA (PEM file), when not publicly trusted.'),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),

  TEMPORAL_CLI_PATH: z.string().optional().describe('Temporal CLI binary for the embedded dev server.'),
  TEMPORAL_CLI_CACHE_DIR: z.string().optional().describe('Where the pinned CLI is built (default ~/.cache/loyalty-relay/temporal-cli).'),
  TEMPORAL_DEV_PORT: port.default(7233).describe('Embedded dev server gRPC port.'),
  TEMPORAL_UI_PORT: port.default(8233).describe('Embedded dev server Web UI port; 0 = no Web UI.'),
  TEMPORAL_DEV_METRICS_PORT: port
    .default(9233)
    .describe("Embedded dev server's own Prometheus /metrics port (the CLI picks a random one otherwise); 0 = a random free port."),
  RELAY_WORKER_METRICS_PORT: port
    .default(9464)
    .describe(
      "A worker run alone (npm run start:worker): its Prometheus /metrics port, on HOST; 0 = none. npm start serves the worker's metrics on the receiver's /metrics instead.",
    ),

  RELAY_ALERT_WEBHOOK_URL: z
    .url()
    .optional()
    .describe(
      'Operational alerts (destination.paused, destination.resumed, delivery.failed, delivery.sla_breached, redelivery.completed) are POSTed here, Standard Webhooks signed; unset = alerts are dropped.',
    ),
  RELAY_ALERT_WEBHOOK_SECRET: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      const problem = v === undefined ? undefined : signingSecretProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe("The alert webhook's signing secret (`whsec_` + base64, 24 to 64 bytes); required with RELAY_ALERT_WEBHOOK_URL."),
  RELAY_BREAKER_PROBE_SECONDS: z.coerce
    .number()
    .positive()
    .default(60)
    .describe(
      'Circuit breaker: the first probe of an automatically paused destination this long after the pause; doubled after each failed probe, at most 1 h.',
    ),
  RELAY_GAUGE_REFRESH_SECONDS: z.coerce
    .number()
    .positive()
    .default(30)
    .describe(
      'How often the worker refreshes its destination state, held-runs and parked-runs gauges (one store query, and Temporal visibility counts per destination while runs hold or park); scrapes read the last figures.',
    ),
  LOYALTY_API_URL: z.url().optional().describe('Base URL of the loyalty API used for enrichment.'),
  LOYALTY_API_AUTHORIZATION: z.string().optional().describe('Authorization header value for the loyalty API.'),
  CUSTOMER_PROFILE_API_URL: z
    .url()
    .optional()
    .describe("Base URL of the brand's customer API that customerProfileEvent looks profiles up in; unset = LOYALTY_API_URL."),
  CUSTOMER_PROFILE_API_AUTHORIZATION: z.string().optional().describe('Authorization header value for CUSTOMER_PROFILE_API_URL.'),
  RELAY_EAGER_START: bool
    .default(true)
    .describe(
      'npm start (receiver and worker in one process): start runs with Eager Workflow Start, the first workflow task handed straight to this worker.',
    ),
});

export type RelayEnv = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(issues: z.core.$ZodIssue[]) {
    super(`invalid environment:\n${issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

export function parseEnv(env: Record<string, string | undefined> = process.env): RelayEnv {
  // Empty strings mean "unset", as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) throw new EnvError(parsed.error.issues);
  // Node refuses a server whose headers timeout exceeds its request timeout: say so at start, by name.
  if (parsed.data.RELAY_HEADERS_TIMEOUT_MS > parsed.data.RELAY_REQUEST_TIMEOUT_MS) {
    throw new EnvError([
      {
        code: 'custom',
        path: ['RELAY_HEADERS_TIMEOUT_MS'],
        message: `must be at most RELAY_REQUEST_TIMEOUT_MS (${parsed.data.RELAY_REQUEST_TIMEOUT_MS})`,
        input: parsed.data.RELAY_HEADERS_TIMEOUT_MS,
      },
    ]);
  }
  if (parsed.data.RELAY_ALERT_WEBHOOK_URL !== undefined && parsed.data.RELAY_ALERT_WEBHOOK_SECRET === undefined) {
    throw new EnvError([
      {
        code: 'custom',
        path: ['RELAY_ALERT_WEBHOOK_SECRET'],
        message: 'is required with RELAY_ALERT_WEBHOOK_URL (alerts are always signed)',
        input: undefined,
      },
    ]);
  }
  return parsed.data;
}

/** Express `trust proxy` from RELAY_TRUST_PROXY: a hop count, true/false, or addresses and ranges as given. */
export function trustProxySetting(value: string | undefined): boolean | number | string | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

/**
 * Options of the receiver's HTTP server: explicit limits on slow clients instead of Node's
 * defaults (a slow body was held ~5 minutes). Node checks the headers and request deadlines
 * on a timer (`connectionsCheckingInterval`, default 30 s, which would add up to 30 s to every
 * deadline); it runs here at a quarter of the headers timeout, at most once a second.
 */
export function receiverServerOptions(
  env: Pick<RelayEnv, 'RELAY_HEADERS_TIMEOUT_MS' | 'RELAY_REQUEST_TIMEOUT_MS' | 'RELAY_KEEP_ALIVE_TIMEOUT_MS'>,
): ServerOptions {
  return {
    headersTimeout: env.RELAY_HEADERS_TIMEOUT_MS,
    requestTimeout: env.RELAY_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: env.RELAY_KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(env.RELAY_HEADERS_TIMEOUT_MS / 4))),
  };
}
