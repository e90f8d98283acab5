/**
 * The relay configuration file (YAML, named by RELAY_CONFIG), as zod schemas.
 * README.md "Configuration file" documents every field; keep the two in step.
 */
import { z } from 'zod';
import { sourceSchema } from './source-schema';

// Sources (kinds, auth schemes, per-kind settings) live in ./source-schema.ts.
export { sourceSchema };

export const headerPairSchema = z
  .object({
    key: z.string(),
    value: z.string(),
  })
  .strict();

export const enrichmentSchema = z
  .object({
    /** Look up the customer's available points balance in the loyalty API (LOYALTY_API_URL). */
    pointsBalance: z.boolean().default(false),
  })
  .strict();

export const destinationSchema = z
  .object({
    name: z.string(),
    kind: z.literal('webhook'),
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    /** Subscribed event names (case-sensitive). */
    events: z.array(z.string().min(1)).min(1, 'subscribe to at least one event'),
    /** Only events from these source ids; all sources when absent. */
    sources: z.array(z.string().min(1)).optional(),
    url: z.string().min(1),
    /** Development opt-in: allow plain http:// to localhost / 127.0.0.1 / [::1] only. */
    allowInsecureHttp: z.boolean().default(false),
    headers: z.array(headerPairSchema).default([]),
    /** JSON body template: an object/array, or a string holding JSON. Defaults to the canonical event. */
    body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
    slaSeconds: z.number().int().positive().default(60),
    maxConnections: z.number().int().positive().max(1000).default(10),
    timeoutSeconds: z.number().positive().max(300).default(10),
    retryWindowSeconds: z
      .number()
      .int()
      .positive()
      .default(24 * 60 * 60),
    enrichment: enrichmentSchema.default({ pointsBalance: false }),
  })
  .strict();

export const relayConfigSchema = z
  .object({
    sources: z.array(sourceSchema).default([]),
    destinations: z.array(destinationSchema).default([]),
  })
  .strict();

export type { SourceConfigInput } from './source-schema';
export type DestinationConfigInput = z.infer<typeof destinationSchema>;
export type RelayConfigInput = z.infer<typeof relayConfigSchema>;
