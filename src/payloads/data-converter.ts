/**
 * The relay's data converter: the one place that says how payloads are written to Temporal.
 * Every Temporal Client and Worker the relay (and its tests and scripts) makes takes it from
 * here, so nothing the relay writes to history is plaintext. Workflow code is untouched: codecs
 * run outside the sandbox; only the failure converter is bundled into it.
 */
import { resolve } from 'node:path';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { masterKeysFromEnv } from '../db/master-key';
import type { RelayEnv } from '../wiring/env';
import { EncryptionCodec } from './encryption';

/** The failure converter module (encodes failure messages and stack traces): for DataConverter and bundleWorkflowCode. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

export interface PayloadKeys {
  current: Buffer;
  previous?: Buffer[];
}

export interface RelayCodecOptions {
  keys: PayloadKeys;
  /** false: payloads are written in plaintext (RELAY_PAYLOAD_ENCRYPTION, a bench and diagnostic switch); sealed ones still open. */
  encrypt?: boolean;
  /** The claim check (./claim-check.ts, over the config database): first on encode, so it sees and stores plaintext payloads itself encrypted. */
  claimCheck?: PayloadCodec;
}

/**
 * The codec chain in encode order (the SDK decodes in reverse). A codec that must see the
 * plaintext — a claim check storing large payloads elsewhere — goes before encryption.
 */
export function relayPayloadCodecs(options: RelayCodecOptions): PayloadCodec[] {
  return [...(options.claimCheck ? [options.claimCheck] : []), new EncryptionCodec({ ...options.keys, encrypt: options.encrypt ?? true })];
}

export function relayDataConverter(options: RelayCodecOptions): DataConverter {
  return { payloadCodecs: relayPayloadCodecs(options), failureConverterPath: FAILURE_CONVERTER_PATH };
}

export type DataConverterEnv = Pick<
  RelayEnv,
  'RELAY_MASTER_KEY' | 'RELAY_MASTER_KEY_PREVIOUS' | 'NODE_ENV' | 'RELAY_DATA_DIR' | 'RELAY_PAYLOAD_ENCRYPTION'
>;

/** The codec options from the environment: the master keys (as the config store reads them) and the encryption switch. */
export function codecOptionsFromEnv(env: DataConverterEnv, log?: (m: string) => void): RelayCodecOptions {
  return codecOptionsFor(masterKeysFromEnv(env, { dataDir: resolve(env.RELAY_DATA_DIR), ...(log ? { log } : {}) }), env, log);
}

/** The codec options over master keys already read (the config store's): the plaintext switch is warned of here. */
export function codecOptionsFor(
  keys: PayloadKeys,
  env: Pick<RelayEnv, 'RELAY_PAYLOAD_ENCRYPTION'>,
  log?: (m: string) => void,
): RelayCodecOptions {
  if (!env.RELAY_PAYLOAD_ENCRYPTION) {
    (log ?? ((m: string) => process.emitWarning(m)))(
      'RELAY_PAYLOAD_ENCRYPTION=false: payloads are written to Temporal in plaintext, PII included (a bench and diagnostic switch, not for production)',
    );
  }
  return { keys: { current: keys.current, ...(keys.previous ? { previous: keys.previous } : {}) }, encrypt: env.RELAY_PAYLOAD_ENCRYPTION };
}

/** The relay's data converter from the environment. */
export function dataConverterFromEnv(env: DataConverterEnv, log?: (m: string) => void): DataConverter {
  return relayDataConverter(codecOptionsFromEnv(env, log));
}
