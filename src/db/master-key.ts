/**
 * The master key that seals the config store's secrets (src/db/secrets.ts), from
 * RELAY_MASTER_KEY, plus the older keys still accepted for reading during a rotation
 * (RELAY_MASTER_KEY_PREVIOUS). In development and tests, without RELAY_MASTER_KEY, a key is
 * made once in `<RELAY_DATA_DIR>/master-key` so `npm start` works out of the box; production
 * refuses to start without a real one. To move a development store to a real key: set
 * RELAY_MASTER_KEY to the new key and RELAY_MASTER_KEY_PREVIOUS to the file's contents.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KEY_BYTES = 32;
const HOW_TO_MAKE = 'Make one with: openssl rand -base64 32';

/** A master key is missing or malformed; the message names the variable (never the value). */
export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

export interface MasterKeys {
  current: Buffer;
  previous: Buffer[];
  source: 'env' | 'development-file';
}

/** 32 bytes as hex (64 characters) or base64 / base64url (44 characters, or 43 unpadded). */
function parseKey(text: string, where: string): Buffer {
  const value = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) key = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key?.length !== KEY_BYTES) {
    throw new MasterKeyError(
      `${where} must be ${KEY_BYTES} random bytes written as base64 (44 characters) or hex (64 characters); ` +
        `it has ${value.length} characters. ${HOW_TO_MAKE}`,
    );
  }
  return key;
}

const warned = new Set<string>();

function developmentKey(dataDir: string, log: (m: string) => void): Buffer {
  const file = join(dataDir, 'master-key');
  let created = false;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
      created = true;
    } catch (e2) {
      // Another process made it between our read and write: use theirs.
      if ((e2 as NodeJS.ErrnoException).code !== 'EEXIST') throw e2;
    }
    text = readFileSync(file, 'utf8');
  }
  const key = parseKey(text, `the development master key file ${file}`);
  if (!warned.has(file)) {
    warned.add(file);
    log(
      `RELAY_MASTER_KEY is not set: config store secrets are encrypted with a development key ${created ? 'created now in' : 'read from'} ${file}. ` +
        `Set RELAY_MASTER_KEY before storing real credentials (${HOW_TO_MAKE}); NODE_ENV=production refuses to start without it.`,
    );
  }
  return key;
}

export function masterKeysFromEnv(
  env: { RELAY_MASTER_KEY?: string; RELAY_MASTER_KEY_PREVIOUS?: string; NODE_ENV?: string },
  opts: { dataDir: string; log?: (m: string) => void },
): MasterKeys {
  const previous = (env.RELAY_MASTER_KEY_PREVIOUS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s, i, all) => parseKey(s, all.length > 1 ? `RELAY_MASTER_KEY_PREVIOUS (entry ${i + 1})` : 'RELAY_MASTER_KEY_PREVIOUS'));
  if (env.RELAY_MASTER_KEY) return { current: parseKey(env.RELAY_MASTER_KEY, 'RELAY_MASTER_KEY'), previous, source: 'env' };
  if (env.NODE_ENV === 'production') {
    throw new MasterKeyError(
      'refusing to start without RELAY_MASTER_KEY outside development (NODE_ENV=production): it encrypts the secrets ' +
        `in the config store. ${HOW_TO_MAKE}, set it as RELAY_MASTER_KEY, and keep it safe: the stored secrets cannot be read without it.`,
    );
  }
  const log = opts.log ?? ((m: string) => process.emitWarning(m));
  return { current: developmentKey(opts.dataDir, log), previous, source: 'development-file' };
}
