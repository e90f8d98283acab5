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
import { ClaimStoreError, type ClaimStore } from './claim-store';

/** `metadata.encoding` of a reference payload. */
export const CLAIM_CHECK_ENCODING = 'binary/claim-check';
/** The failure type of a reference that cannot be resolved. */
export const PAYLOAD_UNAVAILABLE = 'PayloadUnavailable';
/**
 * Default threshold: 128 KiB. A loyalty event is a few KB, so ordinary events never touch the
 * database; anything larger leaves history. Well under Temporal's 256 KB / 512 KB payload
 * warnings, and 32 payloads at the threshold still fit one 4 MB workflow task.
 */
export const DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES = 128 * 1024;

const REFERENCE_VERSION = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Reference {
  v: number;
  /** The stored payload's id (a keyed MAC of it). */
  id: string;
  /** Its size, for people reading a raw history. */
  bytes: number;
}

export function isClaimCheckReference(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && encoding !== null && decoder.decode(encoding) === CLAIM_CHECK_ENCODING;
}

/** The stored payload id a reference names (undefined for any other payload). */
export function claimCheckReferenceId(payload: Payload): string | undefined {
  if (!isClaimCheckReference(payload)) return undefined;
  try {
    return parseReference(payload).id;
  } catch {
    return undefined;
  }
}

function parseReference(payload: Payload): Reference {
  let ref: Partial<Reference>;
  try {
    ref = JSON.parse(decoder.decode(payload.data ?? new Uint8Array())) as Partial<Reference>;
  } catch {
    throw unavailable('a claim-check reference is not JSON', '(unreadable)');
  }
  if (ref.v !== REFERENCE_VERSION || typeof ref.id !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(ref.id)) {
    throw unavailable(`a claim-check reference of an unknown form (v=${String(ref.v)})`, String(ref.id ?? '(none)'));
  }
  return { v: ref.v, id: ref.id, bytes: Number(ref.bytes ?? 0) };
}

function unavailable(message: string, reference: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: PAYLOAD_UNAVAILABLE,
    message: `${message} (reference ${reference})`,
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
    return Promise.all(
      payloads.map(async (payload) => {
        // Cheap bound first: most payloads are far below the threshold.
        if ((payload.data?.length ?? 0) + 1024 <= this.thresholdBytes) return payload;
        const bytes = temporal.api.common.v1.Payload.encode(payload).finish();
        if (bytes.length <= this.thresholdBytes) return payload;
        const id = await this.store.put(bytes);
        const ref: Reference = { v: REFERENCE_VERSION, id, bytes: bytes.length };
        return { metadata: { encoding: encoder.encode(CLAIM_CHECK_ENCODING) }, data: encoder.encode(JSON.stringify(ref)) };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        if (!isClaimCheckReference(payload)) return payload;
        const ref = parseReference(payload);
        let bytes: Buffer;
        try {
          bytes = await this.store.get(ref.id);
        } catch (e) {
          if (e instanceof ClaimStoreError) throw unavailable(e.message, ref.id);
          throw e;
        }
        try {
          const decoded = temporal.api.common.v1.Payload.decode(bytes);
          return { metadata: decoded.metadata, data: decoded.data };
        } catch (e) {
          throw unavailable(`claim-check payload ${ref.id} is not a Temporal payload: ${(e as Error).message}`, ref.id);
        }
      }),
    );
  }
}
