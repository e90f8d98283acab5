/**
 * `webhook`: a POST of a JSON body to an HTTPS URL, with templated URL, headers and body,
 * optional authentication (a credential set) and optional Standard Webhooks signing.
 */
import { z } from 'zod';
import { renderJson, renderText, renderUrl, TemplateRenderError } from './templates';
import type { HeaderTemplate } from '../model/destination';
import { classifyStatus, defineConnector } from './connector';
import type { FieldIssue } from '../model/field-issue';
import { signatureHeaders, signingSecretProblem } from './signing';
import { checkHeaders, checkUrl } from './webhook-rules';
import { bodyTemplateProblems } from './field-rules';
import { hasEnvRefs } from '../model/env-ref';
import { HEADER_VALUE_WHITELIST } from '../model/header';

const headerPair = z
  .object({
    key: z.string(),
    value: z.string(),
    /**
     * The value is a secret: stored encrypted, added at send time, never in workflow history.
     * Implied by a `${ENV_VAR}` reference in the file; the management API sets it explicitly.
     */
    secret: z.boolean().optional(),
  })
  .strict()
  .transform(({ key, value, secret }): HeaderTemplate => ({ key: key.trim(), value: value.trim(), secret: secret ?? hasEnvRefs(value) }));

const bodyTemplate = z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).transform((body, ctx): unknown => {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch (e) {
    ctx.issues.push({ code: 'custom', input: body, message: `body template is not valid JSON: ${(e as Error).message}` });
    return z.NEVER;
  }
});

export const webhookSettingsSchema = z
  .object({
    /** HTTPS URL; may hold `{{ placeholders }}` (percent-encoded when rendered). */
    url: z.string().min(1, 'url is required'),
    /** Webhooks are POST only; the field exists so a wrong value is refused, not ignored. */
    method: z.literal('POST', { error: 'method must be POST (the only method webhooks use)' }).default('POST'),
    /** Development opt-in: allow plain http:// to localhost / 127.0.0.1 / [::1] only. */
    allowInsecureHttp: z.boolean().default(false),
    headers: z.array(headerPair).default([]),
    /** JSON body template: an object/array, or a string holding JSON. Defaults to the canonical event + enrichment. */
    body: bodyTemplate.optional(),
    /** Name of a credential set (top-level `credentials`). */
    auth: z.string().min(1).optional(),
    /** Standard Webhooks signing: `secret` is `whsec_…`, usually a `${ENV_VAR}` reference. */
    signing: z
      .object({ secret: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();

export type WebhookSettings = z.infer<typeof webhookSettingsSchema>;

export const webhookConnector = defineConnector<WebhookSettings>({
  kind: 'webhook',
  settingsSchema: webhookSettingsSchema,

  check(s, ctx) {
    const problems: FieldIssue[] = [
      ...checkUrl(s.url, s.allowInsecureHttp, `${ctx.at}.url`, ctx.urlRules),
      ...checkHeaders(s.headers, ctx, `${ctx.at}.headers`),
    ];
    if (s.body !== undefined) problems.push(...bodyTemplateProblems(s.body, `${ctx.at}.body`));
    if (s.auth !== undefined && !ctx.credentials.has(s.auth)) {
      problems.push({ path: `${ctx.at}.auth`, message: `no credential set named "${s.auth}" (see top-level credentials)` });
    }
    if (s.signing) {
      const problem = signingSecretProblem(ctx.resolveSecret(s.signing.secret, `${ctx.at}.signing.secret`));
      if (problem) problems.push({ path: `${ctx.at}.signing.secret`, message: problem });
    }
    return problems;
  },

  withSecrets(s, replace) {
    return {
      ...s,
      headers: s.headers.map((h) => (h.secret ? { ...h, value: replace(`header:${h.key}`, h.value) } : h)),
      ...(s.signing ? { signing: { secret: replace('signingSecret', s.signing.secret) } } : {}),
    };
  },

  render({ destination, event, enrichment }) {
    const s = destination.settings;
    const context = { event, enrichment, destination: { name: destination.name } };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const h of s.headers) {
      if (h.secret) continue;
      const value = renderText(h.value, context);
      if (!HEADER_VALUE_WHITELIST.test(value)) {
        throw new TemplateRenderError(`header ${h.key} renders to characters outside the header whitelist`);
      }
      headers[h.key.toLowerCase()] = value;
    }
    const body = s.body === undefined ? { ...event, enrichment } : renderJson(s.body, context);
    return [{ method: 'POST', url: renderUrl(s.url, context), headers, body: JSON.stringify(body) }];
  },

  async sendHeaders({ destination, request, idempotencyKey, secrets, credentials, nowSeconds, forceRefresh, rejected }) {
    const s = destination.settings;
    let headers: Record<string, string> = {};
    let refreshable = false;
    if (s.auth) {
      const auth = await credentials.headersFor(s.auth, { forceRefresh, ...(rejected !== undefined ? { rejected } : {}) });
      headers = { ...auth.headers };
      refreshable = auth.refreshable;
    }
    for (const h of s.headers) {
      const value = h.secret ? secrets[`header:${h.key}`] : undefined;
      if (value !== undefined) headers[h.key.toLowerCase()] = value;
    }
    if (s.signing) {
      const signingSecret = secrets.signingSecret;
      if (!signingSecret) throw new Error(`signing secret of destination "${destination.name}" is not available`);
      Object.assign(headers, signatureHeaders(signingSecret, idempotencyKey, nowSeconds, request.body));
    }
    return { headers, refreshable };
  },

  classify: classifyStatus,
});
