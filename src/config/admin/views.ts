/**
 * Entries as the management API shows them: the file's entry shape plus version, timestamps and
 * pause state, every secret redacted to a hint (a client may send a resource back as it got it;
 * validation puts the stored secrets back where it sees the redacted form).
 */
import { destinationConnectors } from '../../destinations';
import type { SourceConfigInput } from '../../model/source';
import { describeHints, redacted, replaceAt, type SecretHints } from '../stored';
import type { Credential } from '../../model/credential';
import type { CredentialRow, DestinationRow, EntryRow } from './rows';

export interface ResourceMeta {
  version: number;
  createdAt: string;
  updatedAt: string;
  secrets: SecretHints;
}

/** A destination's pause is state shown beside its definition (not part of a version). */
export interface PauseFields {
  paused: boolean;
  pausedReason: string | null;
  pausedAt: string | null;
  pausedBy: 'operator' | 'breaker' | null;
}

export type DestinationResource = Record<string, unknown> & ResourceMeta & PauseFields & { name: string; kind: string };
export type CredentialResource = Credential & ResourceMeta & { referencedBy: string[] };
export type SourceResource = SourceConfigInput & ResourceMeta;

/** What the API adds to an entry; validation drops them from a body sent back as it was read. */
export const RESOURCE_KEYS = ['version', 'createdAt', 'updatedAt', 'secrets', 'referencedBy', 'pausedAt', 'pausedBy'];

const iso = (d: Date | string) => new Date(d).toISOString();

/** The destination as the API shows it: the file's entry shape, secrets redacted. */
export function destinationResource(row: DestinationRow): DestinationResource {
  const { settings, version, ...base } = row.config;
  void version; // the row's integer version is shown instead
  const connector = destinationConnectors[row.kind];
  const shown = connector
    ? (connector.withSecrets(settings, (slot) => redacted(row.secret_hints[slot] ?? '')) as Record<string, unknown>)
    : settings;
  return {
    ...base,
    ...shown,
    name: row.name,
    kind: row.kind,
    version: row.version,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    secrets: describeHints(row.secret_hints),
    paused: row.paused,
    pausedReason: row.paused_reason,
    pausedAt: row.paused_at && iso(row.paused_at),
    pausedBy: row.paused ? (row.paused_by ?? 'operator') : null,
  };
}

/** A credential set or source: its secrets (the paths its hints name) redacted. */
export function entryResource<T extends object>(row: EntryRow<T>): ResourceMeta & T {
  return {
    ...replaceAt(row.config, Object.keys(row.secret_hints), (path) => redacted(row.secret_hints[path] ?? '')),
    version: row.version,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    secrets: describeHints(row.secret_hints),
  };
}

export function credentialResource(row: CredentialRow): CredentialResource {
  const { referenced_by: referencedBy, ...entry } = row;
  return { ...entryResource(entry), referencedBy };
}
