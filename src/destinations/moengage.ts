/**
 * `moengage`: MoEngage Data API. Every event goes to the event API; `user` events
 * (customerAdded, customerUpdated) first update the profile through the customer API. The
 * mapping is documented in README "Destination kinds → moengage".
 */
import { z } from 'zod';
import type { CanonicalEvent } from '../canonical-event';
import type { Enrichment } from '../enrichment';
import { TemplateRenderError } from '../templates';
import { classifyStatus, defineConnector, type OutboundRequest } from './connector';
import { checkBaseUrl } from './webhook-rules';

export const moengageSettingsSchema = z
  .object({
    /** MoEngage data center: 01 … 06 (the number in the dashboard URL, dashboard-0N). */
    dataCenter: z.union([z.number().int(), z.string()]).transform((v, ctx) => {
      const dc = String(v).padStart(2, '0');
      if (!/^0[1-6]$/.test(dc)) {
        ctx.issues.push({ code: 'custom', input: v, message: 'dataCenter must be one of 01, 02, 03, 04, 05, 06' });
        return z.NEVER;
      }
      return dc;
    }),
    /** Workspace id (formerly "App ID"), from Settings → APIs. */
    workspaceId: z.string().regex(/^[A-Za-z0-9_-]+$/, 'workspaceId holds letters, digits, "_" or "-" only'),
    /** Data API key: a secret, usually a `${ENV_VAR}` reference. */
    dataApiKey: z.string().min(1, 'dataApiKey is required'),
    /** Overrides `https://api-{dataCenter}.moengage.com`; only for a proxy or a test double. */
    baseUrl: z.string().optional(),
    allowInsecureHttp: z.boolean().default(false),
  })
  .strict();

export type MoengageSettings = z.infer<typeof moengageSettingsSchema>;

const RESERVED_PREFIX = 'moe_';

function withoutReserved(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => !k.startsWith(RESERVED_PREFIX)));
}

/** Enrichment as flat event attributes (MoEngage segments on flat attributes). */
function enrichmentAttributes(e: Enrichment): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (e.pointsBalance) out.points_balance = e.pointsBalance.totalPoints;
  if (e.store) out.store_code = e.store.code;
  if (e.till) out.till_code = e.till.code;
  if (e.awardedReferenceId) out.awarded_reference_id = e.awardedReferenceId;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/** Epoch seconds, never in the future (MoEngage refuses future times). */
function eventTime(event: CanonicalEvent, nowMs: number): number {
  const at = Date.parse(event.occurredAt);
  return Math.floor(Math.min(Number.isNaN(at) ? nowMs : at, nowMs) / 1000);
}

export const moengageConnector = defineConnector<MoengageSettings>({
  kind: 'moengage',
  settingsSchema: moengageSettingsSchema,

  check(s, ctx) {
    ctx.resolveSecret(s.dataApiKey, `${ctx.at}.dataApiKey`);
    return s.baseUrl === undefined ? [] : checkBaseUrl(s.baseUrl, s.allowInsecureHttp, `${ctx.at}.baseUrl`);
  },

  withSecrets(s, replace) {
    return { ...s, dataApiKey: replace('dataApiKey', s.dataApiKey) };
  },

  render({ destination, event, enrichment, nowMs }) {
    const s = destination.settings;
    const customerId = event.customer.id;
    if (!customerId) throw new TemplateRenderError('moengage needs a customer id (event.customer.id) and this event has none');
    const base = `${(s.baseUrl ?? `https://api-${s.dataCenter}.moengage.com`).replace(/\/+$/, '')}/v1`;
    const headers = { 'content-type': 'application/json', 'moe-appkey': s.workspaceId };
    const requests: OutboundRequest[] = [];
    if (event.type === 'user') {
      const ids = event.customer.identifiers;
      const attributes = withoutReserved({
        ...(ids.email ? { email: ids.email } : {}),
        ...(ids.mobile ? { mobile: ids.mobile } : {}),
        ...(event.traits ?? {}),
      });
      requests.push({
        method: 'POST',
        url: `${base}/customer/${encodeURIComponent(s.workspaceId)}`,
        headers,
        body: JSON.stringify({ type: 'customer', customer_id: customerId, attributes }),
        part: 'customer',
      });
    }
    const attributes = withoutReserved({ ...event.properties, ...enrichmentAttributes(enrichment) });
    requests.push({
      method: 'POST',
      url: `${base}/event/${encodeURIComponent(s.workspaceId)}`,
      headers,
      body: JSON.stringify({
        type: 'event',
        customer_id: customerId,
        actions: [{ action: event.name, attributes, current_time: eventTime(event, nowMs) }],
      }),
      // The event request is the primary one: its idempotency key is the destination's.
    });
    return requests;
  },

  sendHeaders({ destination, secrets }) {
    const apiKey = secrets.dataApiKey;
    if (!apiKey) return Promise.reject(new Error(`dataApiKey of destination "${destination.name}" is not available`));
    const basic = Buffer.from(`${destination.settings.workspaceId}:${apiKey}`).toString('base64');
    return Promise.resolve({ headers: { authorization: `Basic ${basic}` }, refreshable: false });
  },

  classify: classifyStatus,
});
