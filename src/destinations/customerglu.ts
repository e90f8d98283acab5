/**
 * `customerglu`: CustomerGlu's server-to-server event API (`POST /server/v4`, `X-API-KEY`).
 * The mapping is documented in README "MoEngage and CustomerGlu mapping"; the rules shared
 * with MoEngage live in ./vendor-mapping.ts.
 */
import { z } from 'zod';
import { classifyStatus, defineConnector } from './connector';
import type { FieldIssue } from '../model/field-issue';
import {
  checkIdPath,
  customerIdOf,
  DEFAULT_CUSTOMER_ID_PATH,
  enrichmentAttributes,
  piiAttributes,
  withoutPii,
  type MappingContext,
} from './vendor-mapping';
import { checkBaseUrl } from './webhook-rules';

export const customergluSettingsSchema = z
  .object({
    writeKey: z
      .string()
      .min(1, 'writeKey is required')
      .describe('Write key from the CustomerGlu dashboard, sent as X-API-KEY: a secret, usually a `${ENV_VAR}` reference in the file'),
    baseUrl: z
      .string()
      .default('https://events.customerglu.com')
      .describe('API base (`/server/v4` is appended); change only for a CustomerGlu region, a proxy or a test double'),
    allowInsecureHttp: z.boolean().default(false).describe('Development only: allow an http:// baseUrl on localhost / 127.0.0.1 / [::1]'),
    customerIdFrom: z
      .string()
      .optional()
      .describe(
        'Path to the value sent as `user_id` (the id the user is registered with in CustomerGlu), e.g. `event.customer.identifiers.externalId`; default `event.customer.id`. An event without a value there fails for this destination (TemplateRenderFailed, not retried)',
      ),
    includePii: z
      .boolean()
      .optional()
      .describe(
        "Copy the customer's email and mobile into event_properties (default false: email, mobile, phone and card numbers are left out of event_properties)",
      ),
  })
  .strict();

export type CustomergluSettings = z.infer<typeof customergluSettingsSchema>;

export const customergluConnector = defineConnector<CustomergluSettings>({
  kind: 'customerglu',
  settingsSchema: customergluSettingsSchema,

  check(s, ctx) {
    ctx.resolveSecret(s.writeKey, `${ctx.at}.writeKey`);
    const problems: FieldIssue[] = checkBaseUrl(s.baseUrl, s.allowInsecureHttp, `${ctx.at}.baseUrl`, ctx.urlRules);
    if (s.customerIdFrom !== undefined) problems.push(...checkIdPath(s.customerIdFrom, `${ctx.at}.customerIdFrom`));
    return problems;
  },

  withSecrets(s, replace) {
    return { ...s, writeKey: replace('writeKey', s.writeKey) };
  },

  render({ destination, event, enrichment }) {
    const s = destination.settings;
    const context: MappingContext = { event, enrichment, destination: { name: destination.name } };
    const userId = customerIdOf('customerglu', s.customerIdFrom ?? DEFAULT_CUSTOMER_ID_PATH, context);
    const ids = event.customer.identifiers;
    // CustomerGlu takes nested event properties as they are; enrichment sits beside them under
    // the same flat names MoEngage gets, so a campaign reads `points_balance` on either vendor.
    const body = {
      event_id: event.id,
      event_name: event.name,
      event_properties: {
        ...(s.includePii ? event.properties : withoutPii(event.properties, ids)),
        ...enrichmentAttributes(enrichment),
        ...(s.includePii ? piiAttributes(ids) : {}),
      },
      timestamp: event.occurredAt,
      user_id: userId,
    };
    const base = s.baseUrl.replace(/\/+$/, '');
    return [{ method: 'POST', url: `${base}/server/v4`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }];
  },

  sendHeaders({ destination, secrets }) {
    const key = secrets.writeKey;
    if (!key) return Promise.reject(new Error(`writeKey of destination "${destination.name}" is not available`));
    return Promise.resolve({ headers: { 'x-api-key': key }, refreshable: false });
  },

  classify: classifyStatus,
});
