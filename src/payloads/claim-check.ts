/**
 * Claim check: a Temporal payload codec that moves every payload larger than a threshold into
 * the configuration database (./claim-store.ts) and puts a small reference in its place, so no
 * workflow task nears Temporal's limits (2 MB per payload, 4 MB per gRPC message): a 1 MB event
 * delivered to three destinations used to fail every workflow task with "grpc: received message
 * larger than max" and stay pending for ever.
 *
 * It runs first on encode (then encryption, which also covers the reference) and last on
 * decode. The whole payload (metadata and data) is stored, so decoding gives back exactly what
 * was encoded. A reference that cannot be resolved is an ApplicationFailure of type
 * `PayloadUnavailable` naming the reference: an activity given one fails without retrying;
 * a workflow task fails with that message in its history (Temporal retries the task, slowly,
 * until the row is restored or the run is terminated) and the worker goes on with other runs.
 */
import { ApplicationFailure, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { FailureType } from '../model/failure-types';
import { ClaimStoreError, type ClaimStore } from './claim-store';

/** `metadata.encoding` of a reference payload. */
export const CLAIM_CHECK_ENCODING = 'binary/claim-check';
/** The failure type of a reference that cannot be resolved (non-retryable in every activity's retry policy). */
export const PAYLOAD_UNAVAILABLE = FailureType.PayloadUnavailable;
/**
 * Default threshold: 128 KiB. A loyalty event is a few KB, so ordinary events never touch the
 * database; anything larger leaves history. Well under Temporal's 256 KB / 512 KB payload
 * warnings, and 32 payloads at the threshold still fit one 4 MB workflow task.
 */
export const DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES = 128 * 1024;

const REFERENCE_VERSION = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The whole payload (metadata and data, serialized) is stored under `id`. */
interface WholeReference {
  v: number;
  /** The stored payload's id (a keyed MAC of it). */
  id: string;
  /** Its size, for people reading a raw history. */
  bytes: number;
}

/** A JSON payload with its largest strings stored apart: `json` holds "" where each leaf goes. */
interface LeavesReference {
  v: number;
  /** The original payload's metadata, base64 values. */
  metadata: Record<string, string>;
  json: unknown;
  leaves: { path: (string | number)[]; id: string; bytes: number }[];
}

type Reference = WholeReference | LeavesReference;

/** Strings shorter than this stay inline (a row per short string would cost more than it saves). */
const MIN_LEAF_CHARS = 1024;
/** More leaves than this: store the payload whole rather than make as many rows. */
const MAX_LEAVES = 64;
const ID = /^[A-Za-z0-9_-]{43}$/;
/** A leaf's entry in a reference, besides its path: `{"path":…,"id":"<43>","bytes":…}`. */
const REFERENCE_LEAF_BYTES = 80;

export function isClaimCheckReference(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && encoding !== null && decoder.decode(encoding) === CLAIM_CHECK_ENCODING;
}

/** The stored payload ids a reference names (empty for any other payload). */
export function claimCheckReferenceIds(payload: Payload): string[] {
  if (!isClaimCheckReference(payload)) return [];
  try {
    const ref = parseReference(payload);
    return 'id' in ref ? [ref.id] : ref.leaves.map((l) => l.id);
  } catch {
    return [];
  }
}

function parseReference(payload: Payload): Reference {
  let ref: Partial<WholeReference & LeavesReference>;
  try {
    ref = JSON.parse(decoder.decode(payload.data ?? new Uint8Array())) as Partial<WholeReference & LeavesReference>;
  } catch {
    throw unavailable('a claim-check reference is not JSON', '(unreadable)');
  }
  if (ref.v === REFERENCE_VERSION && typeof ref.id === 'string' && ID.test(ref.id)) {
    return { v: ref.v, id: ref.id, bytes: Number(ref.bytes ?? 0) };
  }
  if (
    ref.v === REFERENCE_VERSION &&
    Array.isArray(ref.leaves) &&
    ref.leaves.every((l) => typeof l?.id === 'string' && ID.test(l.id) && Array.isArray(l.path)) &&
    ref.metadata !== null &&
    typeof ref.metadata === 'object'
  ) {
    return { v: ref.v, metadata: ref.metadata, json: ref.json, leaves: ref.leaves };
  }
  throw unavailable(`a claim-check reference of an unknown form (v=${String(ref.v)})`, String(ref.id ?? '(none)'));
}

function unavailable(message: string, reference: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: PAYLOAD_UNAVAILABLE,
    message: message.includes(reference) ? message : `${message} (reference ${reference})`,
    nonRetryable: true,
    details: [{ reference }],
  });
}

export interface ClaimCheckOptions {
  store: ClaimStore;
  /** Payloads larger than this (serialized, metadata included) are stored; default 128 KiB. */
  thresholdBytes?: number;
}

export class ClaimCheckCodec implements PayloadCodec {
  readonly thresholdBytes: number;
  private readonly store: ClaimStore;

  constructor(options: ClaimCheckOptions) {
    this.store = options.store;
    this.thresholdBytes = options.thresholdBytes ?? DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((payload) => this.encodeOne(payload)));
  }

  private async encodeOne(payload: Payload): Promise<Payload> {
    // Cheap bound first (an over-estimate of the serialized size): most payloads are far below the threshold.
    let estimate = (payload.data?.length ?? 0) + 16;
    for (const [k, v] of Object.entries(payload.metadata ?? {})) estimate += k.length * 3 + (v?.length ?? 0) + 16;
    if (estimate <= this.thresholdBytes) return payload;
    const bytes = temporal.api.common.v1.Payload.encode(payload).finish();
    if (bytes.length <= this.thresholdBytes) return payload;
    return (await this.storeLeaves(payload)) ?? (await this.storeWhole(bytes));
  }

  /** The whole payload in one row. */
  private async storeWhole(bytes: Uint8Array): Promise<Payload> {
    const id = await this.store.put(bytes);
    const ref: WholeReference = { v: REFERENCE_VERSION, id, bytes: bytes.length };
    return referencePayload(ref);
  }

  /**
   * A JSON payload keeps its shape and small values; its largest strings go to rows of their
   * own. The event's body rendered for six destinations sits in six different activity results
   * (each with its own URL and idempotency key) but is one string: one row.
   */
  private async storeLeaves(payload: Payload): Promise<Payload | undefined> {
    const encoding = payload.metadata?.encoding;
    if (!encoding || decoder.decode(encoding) !== 'json/plain' || !payload.data) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(payload.data));
    } catch {
      return undefined;
    }
    const candidates: { path: (string | number)[]; text: string }[] = [];
    collectStrings(value, [], candidates);
    candidates.sort((a, b) => b.text.length - a.text.length);
    // Largest first, until what stays inline is at most half the threshold.
    let inline = payload.data.length;
    const chosen: typeof candidates = [];
    for (const c of candidates) {
      if (inline <= this.thresholdBytes / 2) break;
      chosen.push(c);
      inline -= c.text.length;
    }
    if (chosen.length === 0 || chosen.length > MAX_LEAVES) return undefined;
    for (const c of chosen) setAt(value, c.path, '');
    // A JSON of very many small values (a huge array) stays too big: store it whole instead (checked before any row is written).
    const skeletonBytes = encoder.encode(JSON.stringify(value)).length;
    const metadataBytes = Object.entries(payload.metadata ?? {}).reduce((n, [k, v]) => n + k.length + ((v?.length ?? 0) * 4) / 3 + 8, 0);
    const leafBytes = chosen.reduce((n, c) => n + REFERENCE_LEAF_BYTES + JSON.stringify(c.path).length, 0);
    if (skeletonBytes + metadataBytes + leafBytes + 256 > this.thresholdBytes) return undefined;
    const leaves = await Promise.all(
      chosen.map(async (c) => {
        const text = encoder.encode(c.text);
        return { path: c.path, id: await this.store.put(text), bytes: text.length };
      }),
    );
    const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    const ref: LeavesReference = { v: REFERENCE_VERSION, metadata, json: value, leaves };
    return referencePayload(ref);
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((payload) => this.decodeOne(payload)));
  }

  private async decodeOne(payload: Payload): Promise<Payload> {
    if (!isClaimCheckReference(payload)) return payload;
    const ref = parseReference(payload);
    if ('id' in ref) {
      const bytes = await this.fetch(ref.id);
      try {
        const decoded = temporal.api.common.v1.Payload.decode(bytes);
        return { metadata: decoded.metadata, data: decoded.data };
      } catch (e) {
        throw unavailable(`claim-check payload ${ref.id} is not a Temporal payload: ${(e as Error).message}`, ref.id);
      }
    }
    const value = ref.json;
    const texts = await Promise.all(ref.leaves.map((leaf) => this.fetch(leaf.id)));
    ref.leaves.forEach((leaf, i) => setAt(value, leaf.path, texts[i]!.toString('utf8')));
    const metadata = Object.fromEntries(Object.entries(ref.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    return { metadata, data: encoder.encode(JSON.stringify(value)) };
  }

  private async fetch(id: string): Promise<Buffer> {
    try {
      return await this.store.get(id);
    } catch (e) {
      if (e instanceof ClaimStoreError) throw unavailable(e.message, id);
      throw e;
    }
  }
}

function referencePayload(ref: Reference): Payload {
  return { metadata: { encoding: encoder.encode(CLAIM_CHECK_ENCODING) }, data: encoder.encode(JSON.stringify(ref)) };
}

/** Strings of at least MIN_LEAF_CHARS, with their paths. */
function collectStrings(value: unknown, path: (string | number)[], out: { path: (string | number)[]; text: string }[]): void {
  if (typeof value === 'string') {
    // A bare string (path []) has no JSON around it to keep: the whole payload is stored instead.
    if (value.length >= MIN_LEAF_CHARS && path.length > 0) out.push({ path, text: value });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => collectStrings(v, [...path, i], out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectStrings(v, [...path, k], out);
  }
}

/** Put `text` at `path` (an own property even for a key like "__proto__", as JSON.parse made it). */
function setAt(root: unknown, path: (string | number)[], text: string): void {
  if (path.length === 0) throw unavailable('a claim-check reference stores the whole value as a leaf', '(leaf)');
  let node = root;
  for (const key of path.slice(0, -1)) {
    node = (node as Record<string | number, unknown> | null)?.[key];
    if (node === null || typeof node !== 'object') throw unavailable('a claim-check leaf path does not fit its JSON', String(key));
  }
  Object.defineProperty(node, path[path.length - 1]!, { value: text, enumerable: true, writable: true, configurable: true });
}
