/**
 * The `sources:` part of the configuration file: one entry per source instance, a
 * discriminated union by `kind` (each kind's settings) with an `auth` scheme, itself a
 * union by `type`. README.md "Configuration file" and "Sources" document every field.
 */
import { z } from 'zod';
import { HEADER_NAME } from './header';
import { parseJsonPath } from './json-path';

/** Ids and names used in URLs and references: letters, digits, "_", "." or "-", at most 64. */
export const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const headerName = z.string().regex(HEADER_NAME, 'not a valid header name');
/** A credential: usually a `${ENV_VAR}` reference, resolved at load. */
const secret = (what: string) => z.string().min(1, `${what} must not be empty`);

export const headerAuthSchema = z
  .object({
    type: z.literal('header'),
    /** Request header that carries the key. */
    header: headerName.default('X-API-KEY'),
    key: secret('key'),
  })
  .strict();

export const headersAuthSchema = z
  .object({
    type: z.literal('headers'),
    /** Every listed header must be present with its value. */
    headers: z
      .array(z.object({ header: headerName, key: secret('key') }).strict())
      .min(1)
      .max(10),
  })
  .strict();

export const basicAuthSchema = z
  .object({
    type: z.literal('basic'),
    username: z
      .string()
      .min(1)
      .regex(/^[^:]*$/, 'must not contain ":"'),
    password: secret('password'),
  })
  .strict();

export const signatureAuthSchema = z
  .object({
    type: z.literal('signature'),
    /** Header holding the hex HMAC of the raw body (Segment: X-Signature, HMAC-SHA1). */
    header: headerName.default('X-Signature'),
    algorithm: z.enum(['sha1', 'sha256']).default('sha1'),
    secret: secret('secret'),
  })
  .strict();

export const webengageAuthSchema = z
  .object({
    type: z.literal('webengage'),
    licenseCode: z.string().min(1),
    /** The webhook secret key; the sender puts MD5 hex of `licenseCode:secretKey` in `?secret=`. */
    secretKey: secret('secretKey'),
  })
  .strict();

export const oauthAuthSchema = z
  .object({
    type: z.literal('oauth'),
    clientId: z.string().min(1).max(256),
    clientSecret: secret('clientSecret'),
    /** Lifetime of the bearer tokens the receiver's token endpoint issues. */
    tokenTtlSeconds: z.number().int().min(60).max(86_400).default(900),
  })
  .strict();

export const sourceAuthSchema = z.preprocess(
  // `auth: { header, key }` without a type is the original static-header form.
  (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) && !('type' in v) ? { ...v, type: 'header' } : v),
  z.discriminatedUnion('type', [
    headerAuthSchema,
    headersAuthSchema,
    basicAuthSchema,
    signatureAuthSchema,
    webengageAuthSchema,
    oauthAuthSchema,
  ]),
);

const jsonPath = z.string().refine((p) => parseJsonPath(p) !== undefined, {
  message: 'not a JSON path of the form $.a.b[0].c (keys and [n] indexes only)',
});

export const kognitivMappingSchema = z
  .object({
    /** Path of the event id; absent = a hash of the body. */
    id: jsonPath.optional(),
    /** Path of the event name; or give the source a fixed `eventName`. */
    name: jsonPath.optional(),
    memberId: jsonPath,
    /** Path of the event time (ISO 8601 or epoch ms/s); absent = the time received. */
    time: jsonPath.optional(),
    email: jsonPath.optional(),
    mobile: jsonPath.optional(),
  })
  .strict();

const common = {
  id: z.string().regex(idPattern, 'letters, digits, "_", "." or "-", at most 64, starting with a letter or digit'),
  description: z.string().optional(),
  auth: sourceAuthSchema,
};

const eventName = z.string().min(1).max(256);

/** Name of CleverTap profiles without `key_values.eventName`, unless the source sets `eventName`. */
export const CLEVERTAP_DEFAULT_EVENT_NAME = 'clevertapWebhook';

export const sourceSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('server') }).strict(),
  z.object({ ...common, kind: z.literal('capillary') }).strict(),
  z
    .object({ ...common, kind: z.literal('kognitiv'), mapping: kognitivMappingSchema, eventName: eventName.optional() })
    .strict()
    .refine((s) => s.mapping.name !== undefined || s.eventName !== undefined, {
      message: 'give mapping.name (a JSON path) or a fixed eventName',
      path: ['mapping', 'name'],
    }),
  z.object({ ...common, kind: z.literal('segment') }).strict(),
  z
    .object({
      ...common,
      kind: z.literal('clevertap'),
      /** Name of the events a CleverTap webhook produces (one per profile), unless key_values.eventName gives one. */
      eventName: eventName.default(CLEVERTAP_DEFAULT_EVENT_NAME),
    })
    .strict(),
  z.object({ ...common, kind: z.literal('webengage') }).strict(),
  z.object({ ...common, kind: z.literal('moengage') }).strict(),
  z.object({ ...common, kind: z.literal('amplitude') }).strict(),
]);

export type SourceConfigInput = z.infer<typeof sourceSchema>;
/** A source with its credentials resolved: never logged, never sent to Temporal. */
export type SourceConfig = SourceConfigInput;
export type SourceAuth = SourceConfig['auth'];
export type SourceOf<K extends SourceConfig['kind']> = Extract<SourceConfig, { kind: K }>;
