/**
 * GET /v1/event-types/{name}/schema: the JSON Schema of the body a source posts for one event
 * of the catalog, generated (zod 4 `toJSONSchema`) from the very schemas the source adapter
 * validates with, so the schema shown is the check applied. Names are matched exactly.
 */
import { z } from 'zod';
import { HttpError } from '../http/inbound/errors';
import { capillaryEventSchema } from '../sources/capillary';

/** The event name is in no catalog. */
export class UnknownEventTypeError extends HttpError {
  constructor(name: string) {
    super(404, 'unknown_event_type', `"${name}" is not in the event catalog (GET /v1/event-types lists it; names are case-sensitive)`);
  }
}

const cache = new Map<string, Record<string, unknown>>();

/** The JSON Schema (draft 2020-12) of event `name`'s body; throws UnknownEventTypeError. */
export function eventTypeSchema(name: string): Record<string, unknown> {
  const cached = cache.get(name);
  if (cached) return cached;
  const schema = capillaryEventSchema(name);
  if (!schema) throw new UnknownEventTypeError(name);
  const document = {
    ...(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
    title: name,
    description: `The body a capillary source posts for ${name} (flat envelope; the wrapped one carries the same \`data\` under \`attributes\`). Fields beyond those listed are kept and relayed.`,
    'x-source-kind': 'capillary',
  };
  cache.set(name, document);
  return document;
}
