/**
 * `moengage`: MoEngage Data API. Every event goes to the event API ("Create Event"); `user`
 * events (customerAdded, customerUpdated) and events with `userAttributes` to render first
 * update the profile through the customer API ("Track User"). The mapping is documented in
 * README "MoEngage and CustomerGlu mapping"; the rules shared with CustomerGlu live in
 * ./vendor-mapping.ts.
 */
import { z } from 'zod';
import type { CanonicalEvent } from '../model/canonical-event';
import { classifyStatus, defineConnector, type OutboundRequest } from './connector';
import type { FieldIssue } from '../model/field-issue';
import {
  checkAttributeTemplates,
  checkIdPath,
  customerIdOf,
  DEFAULT_CUSTOMER_ID_PATH,
  enrichmentAttributes,
  flattenAttributes,
  piiAttributes,
  renderAttributeTemplates,
  withoutPii,
  type MappingContext,
} from './vendor-mapping';
import { checkBaseUrl } from './webhook-rules';

const RESERVED_PREFIX = 'moe_';
const IDENTITY_ATTRIBUTE = /^moe_[a-z0-9_]+$/;

export const moengageSettingsSchema = z
  .object({
    dataCenter: z
      .union([z.number().int(), z.string()])
      .transform((v, ctx) => {
        const dc = String(v).padStart(2, '0');
        if (!/^0[1-6]$/.test(dc)) {
          ctx.issues.push({ code: 'custom', input: v, message: 'dataCenter must be one of 01, 02, 03, 04, 05, 06' });
          return z.NEVER;
        }
        return dc;
      })
      .describe('MoEngage data center, 01 … 06: the N of dashboard-0N.moengage.com; requests go to https://api-0N.moengage.com'),
    workspaceId: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'workspaceId holds letters, digits, "_" or "-" only')
      .describe('Workspace ID (formerly "App ID"), from Settings → Account → APIs; the Basic-auth username and the MOE-APPKEY header'),
    dataApiKey: z
      .string()
      .min(1, 'dataApiKey is required')
      .describe('Data API key (Settings → Account → APIs → Data): a secret, usually a `${ENV_VAR}` reference in the file'),
    baseUrl: z
      .string()
      .optional()
      .describe(
        'Replaces `https://api-{dataCenter}.moengage.com` (paths `/v1/customer/…` and `/v1/event/…` are appended): for a proxy, a test double or a data center the list does not know yet. https only, unless allowInsecureHttp',
      ),
    allowInsecureHttp: z.boolean().default(false).describe('Development only: allow an http:// baseUrl on localhost / 127.0.0.1 / [::1]'),
    customerIdFrom: z
      .string()
      .optional()
      .describe(
        'Path to the value sent as `customer_id`, e.g. `event.customer.identifiers.externalId` or `enrichment.customerIdentifiers.externalId`; default `event.customer.id`. An event without a value there fails for this destination (TemplateRenderFailed, not retried)',
      ),
    userAttributes: z
      .record(
        z.string(),
        z.union([z.string(), z.number(), z.boolean(), z.null()], {
          error: 'a user attribute is a template string such as "{{ event.properties.tier }}", a number, a boolean or null',
        }),
      )
      .optional()
      .describe(
        'User attributes to set with every subscribed event, through the customer API: name → template, e.g. `{ tier: "{{ event.properties.upgradedTierNumber }}", points_balance: "{{ enrichment.pointsBalance.totalPoints }}" }`. An attribute whose placeholder has no value for the event is left out',
      ),
    identityAttributes: z
      .array(z.string().regex(IDENTITY_ATTRIBUTE, 'identity attributes are moe_ names such as moe_mobile or moe_email'))
      .optional()
      .describe(
        'moe_ identifiers of an identity-resolution workspace (e.g. `moe_mobile`, `moe_email`) sent as user attributes when traits or userAttributes carry them; every other moe_ key is dropped',
      ),
    includePii: z
      .boolean()
      .optional()
      .describe(
        "Copy the customer's email and mobile into event attributes (default false: email, mobile, phone and card numbers are left out of event attributes; the customer API's profile still gets email and mobile)",
      ),
  })
  .strict();

export type MoengageSettings = z.infer<typeof moengageSettingsSchema>;

/**
 * MoEngage Track User standard attributes, each with the trait names that mean it (the
 * standard name first). Other traits are custom attributes under their own name.
 */
const STANDARD_ATTRIBUTES: Record<string, string[]> = {
  name: ['name', 'fullName', 'full_name'],
  first_name: ['first_name', 'firstName', 'firstname'],
  last_name: ['last_name', 'lastName', 'lastname'],
  email: ['email'],
  mobile: ['mobile', 'phone', 'phoneNumber', 'mobileNumber'],
  gender: ['gender'],
  age: ['age'],
};
const STANDARD_ALIASES = new Set(Object.values(STANDARD_ATTRIBUTES).flat());

/** Traits with the standard attributes under MoEngage's names; the first alias present wins. */
export function standardizeTraits(traits: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(traits)) if (!STANDARD_ALIASES.has(key)) out[key] = value;
  for (const [standard, aliases] of Object.entries(STANDARD_ATTRIBUTES)) {
    const from = aliases.find((alias) => traits[alias] !== undefined && traits[alias] !== null);
    if (from !== undefined) out[standard] = traits[from];
  }
  return out;
}

function withoutReserved(values: Record<string, unknown>, allowed: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => !k.startsWith(RESERVED_PREFIX) || allowed.has(k)));
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
    const problems: FieldIssue[] =
      s.baseUrl === undefined ? [] : checkBaseUrl(s.baseUrl, s.allowInsecureHttp, `${ctx.at}.baseUrl`, ctx.urlRules);
    if (s.customerIdFrom !== undefined) problems.push(...checkIdPath(s.customerIdFrom, `${ctx.at}.customerIdFrom`));
    if (s.userAttributes !== undefined) {
      problems.push(...checkAttributeTemplates(s.userAttributes, `${ctx.at}.userAttributes`));
      const identity = new Set(s.identityAttributes ?? []);
      for (const name of Object.keys(s.userAttributes)) {
        if (name.startsWith(RESERVED_PREFIX) && !identity.has(name)) {
          problems.push({
            path: `${ctx.at}.userAttributes.${name}`,
            message: `"moe_" is MoEngage's reserved prefix: list ${name} in identityAttributes if your workspace resolves identities on it`,
          });
        }
      }
    }
    return problems;
  },

  withSecrets(s, replace) {
    return { ...s, dataApiKey: replace('dataApiKey', s.dataApiKey) };
  },

  render({ destination, event, enrichment, nowMs }) {
    const s = destination.settings;
    const context: MappingContext = { event, enrichment, destination: { name: destination.name } };
    const customerId = customerIdOf('moengage', s.customerIdFrom ?? DEFAULT_CUSTOMER_ID_PATH, context);
    const base = `${(s.baseUrl ?? `https://api-${s.dataCenter}.moengage.com`).replace(/\/+$/, '')}/v1`;
    const headers = { 'content-type': 'application/json', 'moe-appkey': s.workspaceId };
    const identity = new Set(s.identityAttributes ?? []);
    const ids = event.customer.identifiers;
    const requests: OutboundRequest[] = [];

    const profile = event.type === 'user' ? { ...piiAttributes(ids), ...standardizeTraits(event.traits ?? {}) } : {};
    const updates = s.userAttributes ? renderAttributeTemplates(s.userAttributes, context) : {};
    const userAttributes = withoutReserved(flattenAttributes({ ...profile, ...updates }), identity);
    if (event.type === 'user' || Object.keys(userAttributes).length > 0) {
      requests.push({
        method: 'POST',
        url: `${base}/customer/${encodeURIComponent(s.workspaceId)}`,
        headers,
        body: JSON.stringify({ type: 'customer', customer_id: customerId, attributes: userAttributes }),
        part: 'customer',
      });
    }

    const properties = s.includePii ? event.properties : withoutPii(event.properties, ids);
    const attributes = withoutReserved(
      flattenAttributes({ ...properties, ...enrichmentAttributes(enrichment), ...(s.includePii ? piiAttributes(ids) : {}) }),
      new Set(),
    );
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
