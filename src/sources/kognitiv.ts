/**
 * `kognitiv`: Kognitiv Loyalty webhooks (event group "Member Rewards": reward issued,
 * redeemed, cancelled, expiry changed). The sender designs the body with placeholders such
 * as `{{memberId}}`, so the source's `mapping` says which JSON paths hold the id, name,
 * member id and time; the whole body becomes `properties`.
 */
import type { CustomerIdentifiers } from '../model/canonical-event';
import { SchemaViolationError } from '../http/inbound/errors';
import { hashId, idOf, sourceOf, toInstant, type SingleSourceAdapter } from './adapter';
import { isObject } from '../model/is-object';
import { parseJsonPath, readJsonPath, type PathSegment } from '../model/json-path';

/** Parsed mapping paths: a source's paths are fixed, so each is parsed once, not per event. */
const parsedPaths = new Map<string, PathSegment[] | undefined>();

function at(body: unknown, path: string | undefined): unknown {
  if (path === undefined) return undefined;
  if (!parsedPaths.has(path)) parsedPaths.set(path, parseJsonPath(path));
  const parsed = parsedPaths.get(path);
  return parsed ? readJsonPath(body, parsed) : undefined;
}

function violation(path: string, message: string): SchemaViolationError {
  return new SchemaViolationError([{ path: path.replace(/^\$\.?/, ''), message }]);
}

function stringAt(body: unknown, path: string | undefined, what: string, required: boolean): string | undefined {
  const v = at(body, path);
  if (v === undefined || v === null || v === '') {
    if (required && path !== undefined) throw violation(path, `${what} is required (mapping.${what})`);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw violation(path ?? what, `${what} must be a string or a number`);
  if (typeof v === 'string' && v.length > 256) throw violation(path ?? what, `${what} is longer than 256 characters`);
  return idOf(v, (path ?? what).replace(/^\$\.?/, ''));
}

export const kognitivSource: SingleSourceAdapter = {
  kind: 'kognitiv',
  nameFrom: "the value at the source's `mapping.name` JSON path, else the source's fixed `eventName`",
  normalize(body, ctx) {
    const { mapping, eventName } = sourceOf(ctx, 'kognitiv');
    if (!isObject(body)) throw new SchemaViolationError([{ path: '(body)', message: 'expected a JSON object' }]);
    const name = stringAt(body, mapping.name, 'name', eventName === undefined) ?? eventName;
    if (name === undefined) throw violation(mapping.name ?? 'name', 'name is required');
    const memberId = stringAt(body, mapping.memberId, 'memberId', true);
    const id = stringAt(body, mapping.id, 'id', false) ?? hashId(body);
    const time = at(body, mapping.time);
    let occurredAt = ctx.receivedAt;
    if (time !== undefined && time !== null && time !== '') {
      if (typeof time !== 'string' && typeof time !== 'number')
        throw violation(mapping.time ?? 'time', 'time must be a string or a number');
      occurredAt = toInstant(time, (mapping.time ?? 'time').replace(/^\$\.?/, ''), 'auto');
    }
    const identifiers: CustomerIdentifiers = {};
    const email = at(body, mapping.email);
    const mobile = at(body, mapping.mobile);
    if (typeof email === 'string' && email !== '') identifiers.email = email;
    if ((typeof mobile === 'string' && mobile !== '') || typeof mobile === 'number') identifiers.mobile = String(mobile);
    return {
      id,
      source: ctx.sourceId,
      sourceKind: 'kognitiv',
      name,
      type: 'track',
      occurredAt,
      receivedAt: ctx.receivedAt,
      customer: { ...(memberId !== undefined ? { id: memberId } : {}), identifiers },
      properties: body,
    };
  },
};
