/**
 * Every environment variable the relay reads, in one zod schema, parsed once at start by the
 * entry points. Each `.describe()` is the variable's README text (Markdown): README's
 * environment table is generated from this schema by `npm run docs:env`.
 */
import type { ServerOptions } from 'node:http';
import { z } from 'zod';
import { signingSecretProblem } from '../destinations/signing';
import { parseCidr } from '../http/outbound-guard';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

export const envSchema = z.object({
  PORT: port.default(8080).describe('Receiver HTTP port.'),
  HOST: z.string().default('0.0.0.0').describe('Receiver bind address.'),
  RELAY_CONFIG: z
    .string()
    .optional()
    .describe(
      'A YAML configuration file (below) applied to the store at start: created or updated by name, like `relay apply -f`. Unset: the store is used as it is.',
    ),
  RELAY_DATA_DIR: z
    .string()
    .default('data')
    .describe(
      'Local state: the embedded Temporal database (`temporal.db`), the embedded configuration store (`config-db/`), the development master key, the cached workflow bundle.',
    ),
  RELAY_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024)
    .describe('Largest accepted request body (413 above it).'),
  RELAY_EXTRA_CA_CERTS: z.string().optional().describe('PEM file of extra CAs trusted for outbound HTTPS (private CAs, tests).'),
  RELAY_START_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5000)
    .describe('How long the receiver waits for Temporal to start a workflow before answering 503.'),
  RELAY_HEADERS_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe(
      "Receiver: time a client has to send the request line and headers; then 408 and the connection is closed (Node's default is 60 s). Webhook senders send headers at once; 10 s leaves room for slow links. At most `RELAY_REQUEST_TIMEOUT_MS` (checked at start); keep it above `RELAY_KEEP_ALIVE_TIMEOUT_MS`.",
    ),
  RELAY_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(30_000)
    .describe(
      "Receiver: time a client has to send the whole request, headers and body; then 408 and close (Node's default is 300 s). 30 s carries a `RELAY_MAX_BODY_BYTES` body (1 MiB) at ~35 KB/s but stops slow-body clients holding connections for minutes.",
    ),
  RELAY_KEEP_ALIVE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5_000)
    .describe(
      "Receiver: how long an idle keep-alive connection waits for its next request (Node's default is 5 s). Behind a load balancer, make it longer than the balancer's idle timeout (and `RELAY_HEADERS_TIMEOUT_MS` longer still), or the balancer may reuse a connection the relay is closing (502).",
    ),
  RELAY_MAX_JSON_DEPTH: z.coerce
    .number()
    .int()
    .min(2)
    .max(512)
    .default(32)
    .describe('Deepest object/array nesting accepted in a body (400 `nesting_too_deep` above it).'),
  RELAY_MAX_FUTURE_SKEW_SECONDS: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(300)
    .describe("Event times further ahead of the receiver's clock are refused (422 `timestamp_in_future`)."),
  RELAY_MAX_HOPS: z.coerce
    .number()
    .int()
    .min(1)
    .max(999)
    .default(3)
    .describe(
      'Requests whose `x-loyalty-relay-hops` header (relays passed through) is this or more are refused (422 `too_many_hops`): loop protection, see "Delivery semantics".',
    ),
  RELAY_REDELIVERY_MAX_RUNS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(10_000)
    .describe(
      'Most parked runs one bulk redelivery (`POST /v1/redeliveries`, `relay redeliver --bulk`) may cover; a request matching more is refused (422 `too_many_runs`, saying how many matched). See "Redelivery".',
    ),
  RELAY_AUTH_FAILURES_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe(
      'Failed authentications (wrong source key, signature, bearer token or token-endpoint client secret) from one client address within `RELAY_AUTH_FAILURE_WINDOW_SECONDS`, after which that address gets 429 `too_many_auth_failures` until the window ends. See "Sources".',
    ),
  RELAY_AUTH_FAILURES_PER_SOURCE: z.coerce
    .number()
    .int()
    .min(1)
    .default(100)
    .describe(
      'Failed authentications on one source (its token endpoint, i.e. its client id, counted apart) from any address within the window, after which that source gets 429 until the window ends: guessing from many addresses.',
    ),
  RELAY_AUTH_FAILURE_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(60)
    .describe(
      'Window of both failed-authentication limits, from the first failure (1–86400); the longest `Retry-After` of a 429 `too_many_auth_failures`.',
    ),
  RELAY_AUTH_THROTTLE_MAX_ADDRESSES: z.coerce
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe(
      "Client addresses whose failures are tracked at most (at least 100; the oldest are forgotten first): bounds the throttle's memory.",
    ),
  RELAY_TRUST_PROXY: z
    .string()
    .optional()
    .describe(
      "Receiver behind a proxy or load balancer: which peers' `X-Forwarded-For` names the client address (Express `trust proxy`: a hop count, `loopback`, comma-separated addresses/CIDRs, or `true`). Unset: the socket's address. The failed-authentication limits count per client address.",
    ),
  RELAY_TOKEN_SIGNING_KEY: z
    .string()
    .min(32, 'use at least 32 characters (e.g. openssl rand -base64 48)')
    .optional()
    .describe(
      'HS256 key (≥ 32 characters) of the bearer tokens the token endpoint issues to `oauth` sources. Unset (development): a key made at start — tokens stop working on restart and are not shared between receiver replicas; set it in production.',
    ),
  RELAY_ADMIN_TOKEN: z
    .string()
    .min(24, 'use at least 24 characters (e.g. openssl rand -base64 32)')
    .optional()
    .describe(
      'Bearer token (≥ 24 characters) of the management API (`/v1/destinations`, `/v1/credentials`, `/v1/sources`), and what signs in to the web console (`/console`). Unset: the management API answers 403 `management_api_disabled`.',
    ),
  RELAY_CONSOLE_SESSION_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(8 * 3600)
    .describe(
      'How long a web console session lasts (8 hours by default; 60 s to 7 days), from sign-in with `RELAY_ADMIN_TOKEN` at `/console`; not extended by use. See "Console".',
    ),
  RELAY_TEMPORAL_UI_URL: z
    .url()
    .optional()
    .describe(
      "Base URL of the Temporal Web UI the console links failed runs to (e.g. `https://cloud.temporal.io`). Unset: the embedded dev server's UI under `npm start` (`http://localhost:$TEMPORAL_UI_PORT`), else no links.",
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
      "Comma-separated CIDR ranges destinations may reach although loopback/private (added to the file's `outbound.allowPrivateNetworks`; read at start).",
    ),
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe('`production` refuses to start without `RELAY_MASTER_KEY`; `development` and `test` make a key in `RELAY_DATA_DIR`.'),
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info')
    .describe('`trace` … `fatal`, or `silent`. Logs go to stdout.'),
  RELAY_LOG_FORMAT: z
    .enum(['json', 'pretty'])
    .optional()
    .describe(
      "`pretty`: one readable, coloured line per record (pino's own printer, `pino-pretty`); `json`: one JSON object per line, for collectors. Unset: `pretty` when stdout is a terminal, `json` otherwise (files, pipes, containers).",
    ),

  DATABASE_URL: z
    .string()
    .optional()
    .describe(
      'PostgreSQL connection URL of the configuration store (`postgres://user:pass@host:5432/db`). Unset: the embedded engine (PGlite) in `RELAY_DATA_DIR/config-db` (one process at a time; see "Configuration store").',
    ),
  RELAY_MASTER_KEY: z
    .string()
    .optional()
    .describe(
      '32-byte key (base64 or hex; `openssl rand -base64 32`) that encrypts stored secrets. Required when `NODE_ENV=production`; otherwise, unset, a key is made once in `RELAY_DATA_DIR/master-key` (with a warning).',
    ),
  RELAY_MASTER_KEY_PREVIOUS: z
    .string()
    .optional()
    .describe(
      'Comma-separated older master keys, still accepted for reading while secrets are re-sealed after a rotation (see "Rotating the master key").',
    ),

  RELAY_CLAIM_CHECK_THRESHOLD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(128 * 1024)
    .describe(
      'Claim check: a Temporal payload larger than this is stored, encrypted and once, in the configuration store and history holds a reference (see "Large events (claim check)"). 1024 … 1048576. 128 KiB: ordinary events never touch the database; 32 payloads at the limit still fit one 4 MB workflow task.',
    ),
  RELAY_CLAIM_CHECK_RETENTION_HOURS: z.coerce
    .number()
    .positive()
    .optional()
    .describe(
      "Claim check: the Temporal namespace's retention, in hours. Stored payloads are deleted once unreferenced for this plus the longest run (retry window + parking period). Unset: asked from Temporal (DescribeNamespace).",
    ),
  RELAY_CLAIM_CHECK_CLEANUP_MINUTES: z.coerce
    .number()
    .positive()
    .default(60)
    .describe('Claim check: how often the worker deletes stored payloads past their retention (also `npm run relay -- payloads cleanup`).'),

  RELAY_PAYLOAD_ENCRYPTION: bool
    .default(true)
    .describe(
      'Seal every payload written to Temporal (AES-256-GCM, key derived from `RELAY_MASTER_KEY`; see "Payloads and PII"). `false`: plaintext PII in history — a bench and diagnostic switch only; sealed payloads are still read.',
    ),
  RELAY_CODEC_TOKEN: z
    .string()
    .min(24, 'use at least 24 characters (e.g. openssl rand -base64 32)')
    .optional()
    .describe(
      "Bearer token (≥ 24 characters) of the codec endpoints `POST /codec/decode` and `/codec/encode` the Temporal UI and CLI call to show decoded payloads (also accepted as the path segment `/codec/<token>/decode`). Unset: only `npm start`'s embedded UI may call them.",
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
      "Comma-separated browser origins allowed to call the codec endpoints (your Temporal UI, e.g. `https://cloud.temporal.io`). The embedded UI's origins are always allowed.",
    ),
  RELAY_CODEC_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024)
    .describe('Largest codec request body (413 above it).'),

  TEMPORAL_ADDRESS: z
    .string()
    .optional()
    .describe(
      '`host:port` of an existing Temporal server or Temporal Cloud. Unset: `npm start` embeds a dev server; the separate worker/receiver entry points use `127.0.0.1:7233`.',
    ),
  TEMPORAL_NAMESPACE: z.string().default('default').describe('Temporal namespace.'),
  TEMPORAL_TASK_QUEUE: z.string().default('loyalty-relay').describe('Task queue shared by receiver and worker.'),
  TEMPORAL_API_KEY: z.string().optional().describe('API key (Temporal Cloud); turns TLS on.'),
  TEMPORAL_TLS: bool.optional().describe('`true`/`false`: TLS to `TEMPORAL_ADDRESS`. Unset: on when an API key or TLS file is given.'),
  TEMPORAL_TLS_CERT: z.string().optional().describe('Client certificate (PEM file) for mTLS.'),
  TEMPORAL_TLS_KEY: z.string().optional().describe('Client key (PEM file) for mTLS.'),
  TEMPORAL_TLS_CA: z.string().optional().describe('Server CA (PEM file) when not publicly trusted.'),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional().describe('TLS server name override.'),

  TEMPORAL_CLI_PATH: z.string().optional().describe('Temporal CLI used for the embedded dev server.'),
  TEMPORAL_CLI_CACHE_DIR: z
    .string()
    .optional()
    .describe(
      'Where the project builds the pinned CLI. Unset: `~/.cache/loyalty-relay/temporal-cli` (under `$XDG_CACHE_HOME` when that is set).',
    ),
  TEMPORAL_DEV_PORT: port.default(7233).describe('Embedded dev server gRPC port.'),
  TEMPORAL_UI_PORT: port.default(8233).describe('Embedded dev server Web UI port; `0`: no Web UI (headless machines, tests).'),
  TEMPORAL_DEV_METRICS_PORT: port
    .default(9233)
    .describe(
      'Embedded dev server: its own Prometheus `/metrics` port (fixed, so a scraper finds it; the CLI would pick a random one). `0`: a random free port.',
    ),
  RELAY_WORKER_METRICS_PORT: port
    .default(9464)
    .describe(
      'A worker run alone (`start:worker`, `worker-main.js`): the port of its Prometheus `/metrics` (delivery metrics, see "Metrics"), on `HOST`. `0`: none. A port already taken is logged, and the worker runs on without. `npm start` ignores it: one `/metrics`, the receiver\'s.',
    ),

  RELAY_ALERT_WEBHOOK_URL: z
    .url()
    .optional()
    .describe(
      'Operational alerts (`destination.paused`, `.resumed`, `delivery.failed`, `.sla_breached`, `redelivery.completed`) are POSTed here, Standard Webhooks signed (see "Alerts"). Unset (and no `alerts` in `RELAY_CONFIG`): alerts are dropped.',
    ),
  RELAY_ALERT_WEBHOOK_SECRET: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      const problem = v === undefined ? undefined : signingSecretProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('Signing secret of the alert webhook (`whsec_` + base64 of 24–64 bytes); required with `RELAY_ALERT_WEBHOOK_URL`.'),
  RELAY_BREAKER_PROBE_SECONDS: z.coerce
    .number()
    .positive()
    .default(60)
    .describe(
      'Circuit breaker: the first probe of an automatically paused destination this long after the pause; doubled after each failed probe, at most 1 h (see "Circuit breaker").',
    ),
  RELAY_GAUGE_REFRESH_SECONDS: z.coerce
    .number()
    .positive()
    .default(30)
    .describe(
      'How often a worker refreshes its gauges `relay_destination_state`, `relay_held_runs` and `relay_parked_runs` (see "Metrics"): one store query, plus Temporal visibility counts per destination only while some run holds or parks a delivery. Scrapes read the last figures.',
    ),
  LOYALTY_API_URL: z
    .url()
    .optional()
    .describe(
      "Base URL of the loyalty API for enrichment (Capillary-style `GET /v2/customers/lookup/points/balance`). Unset: balance lookups are skipped and noted in the enrichment's `problems`.",
    ),
  LOYALTY_API_AUTHORIZATION: z.string().optional().describe('`Authorization` header value for the loyalty API (e.g. `Basic …`).'),
  CUSTOMER_PROFILE_API_URL: z
    .url()
    .optional()
    .describe(
      "The brand's customer API that `customerProfileEvent` (Capillary `customerAdded` / `customerUpdated`) looks profiles up in (Capillary-style `GET /v2/customers/lookup/customerDetails`). Unset: `LOYALTY_API_URL`; neither set: the run delivers without a profile and says so in the enrichment's `problems`.",
    ),
  CUSTOMER_PROFILE_API_AUTHORIZATION: z.string().optional().describe('`Authorization` header value for `CUSTOMER_PROFILE_API_URL`.'),
  RELAY_EAGER_START: bool
    .default(true)
    .describe(
      "`npm start` (receiver and worker in one process): start runs with Eager Workflow Start — the server hands the run's first workflow task straight back to this process's worker. `false`: ordinary starts. The separate `start:receiver` never starts eagerly.",
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
