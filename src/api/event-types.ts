/**
 * GET /v1/event-types: the event names a destination's `events` can subscribe to. Built from
 * the source adapters themselves (their catalogs and `nameFrom`), so a catalog change or a
 * new source kind shows here without a second list to keep in step.
 */
import { z } from 'zod';
import { sourceAdapters } from '../sources';
import { CAPILLARY_EVENTS } from '../sources/capillary';
import { SOURCE_KINDS } from '../sources/kinds';

const sourceKindEventsSchema = z.object({
  kind: z.enum(SOURCE_KINDS),
  anyName: z.boolean().describe('True when the kind relays any event name (it has no catalog)'),
  catalog: z.array(z.string()).optional().describe('Every name this kind emits, when it has a fixed catalog'),
  nameFrom: z.string().describe('Where the event name comes from'),
});

export const eventTypesSchema = z
  .object({
    caseSensitive: z.literal(true).describe('Event names are compared exactly: `CouponRedeem` is not `couponRedeem`'),
    capillary: z.array(z.string()).describe("Capillary's event catalog: a capillary source refuses any other name (422 unknown_event)"),
    server: sourceKindEventsSchema.describe('The generic server-to-server format'),
    sourceKinds: z.array(sourceKindEventsSchema).describe('Every source kind, in the order of SOURCE_KINDS'),
  })
  .describe('Event names the relay receives, by source kind');

export type EventTypes = z.infer<typeof eventTypesSchema>;
type SourceKindEvents = z.infer<typeof sourceKindEventsSchema>;

function eventsOf(kind: (typeof SOURCE_KINDS)[number]): SourceKindEvents {
  const { catalog, nameFrom } = sourceAdapters[kind];
  return { kind, anyName: catalog === undefined, ...(catalog ? { catalog: [...catalog] } : {}), nameFrom };
}

export function eventTypes(): EventTypes {
  return {
    caseSensitive: true,
    capillary: [...CAPILLARY_EVENTS],
    server: eventsOf('server'),
    sourceKinds: SOURCE_KINDS.map(eventsOf),
  };
}
