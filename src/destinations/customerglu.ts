/** `customerglu`: CustomerGlu's server-to-server event API (`POST /server/v4`, `X-API-KEY`). */
import { z } from 'zod';
import { TemplateRenderError } from '../templates';
import { classifyStatus, defineConnector } from './connector';
import { checkBaseUrl } from './webhook-rules';

export const customergluSettingsSchema = z
  .object({
    /** Write key from the CustomerGlu dashboard: a secret, usually a `${ENV_VAR}` reference. */
    writeKey: z.string().min(1, 'writeKey is required'),
    /** API base; change only for a CustomerGlu region or a test double. */
    baseUrl: z.string().default('https://events.customerglu.com'),
    allowInsecureHttp: z.boolean().default(false),
  })
  .strict();

export type CustomergluSettings = z.infer<typeof customergluSettingsSchema>;

export const customergluConnector = defineConnector<CustomergluSettings>({
  kind: 'customerglu',
  settingsSchema: customergluSettingsSchema,

  check(s, ctx) {
    ctx.resolveSecret(s.writeKey, `${ctx.at}.writeKey`);
    return checkBaseUrl(s.baseUrl, s.allowInsecureHttp, `${ctx.at}.baseUrl`);
  },

  withSecrets(s, replace) {
    return { ...s, writeKey: replace('writeKey', s.writeKey) };
  },

  render({ destination, event, enrichment }) {
    const userId = event.customer.id;
    if (!userId) throw new TemplateRenderError('customerglu needs a user id (event.customer.id) and this event has none');
    const enriched: Record<string, unknown> = { ...enrichment };
    delete enriched.problems;
    const body = {
      event_id: event.id,
      event_name: event.name,
      event_properties: { ...event.properties, ...(Object.keys(enriched).length > 0 ? { enrichment: enriched } : {}) },
      timestamp: event.occurredAt,
      user_id: userId,
    };
    const base = destination.settings.baseUrl.replace(/\/+$/, '');
    return [{ method: 'POST', url: `${base}/server/v4`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }];
  },

  sendHeaders({ destination, secrets }) {
    const key = secrets.writeKey;
    if (!key) return Promise.reject(new Error(`writeKey of destination "${destination.name}" is not available`));
    return Promise.resolve({ headers: { 'x-api-key': key }, refreshable: false });
  },

  classify: classifyStatus,
});
