/** The configuration store's rows as the repositories read them (the SQL shapes, before redaction). */
import type { Credential } from '../../model/credential';
import type { DestinationConfig } from '../../model/destination';

export interface DestinationRow {
  name: string;
  kind: string;
  version: number;
  enabled: boolean;
  events: string[];
  sources: string[] | null;
  created_at: Date;
  updated_at: Date;
  config: DestinationConfig;
  secrets: string;
  secret_hints: Record<string, string>;
  paused: boolean;
  paused_reason: string | null;
  paused_at: Date | null;
  paused_by: 'operator' | 'breaker' | null;
}

/** A credential set or a source: one row per entry, a version counter. */
export interface EntryRow<T> {
  version: number;
  config: T;
  secrets: string;
  secret_hints: Record<string, string>;
  created_at: Date;
  updated_at: Date;
}

export type CredentialRow = EntryRow<Credential> & { referenced_by: string[] };

/** The SQLSTATE of a database error (e.g. 23505 unique violation), if it is one. */
export function sqlState(e: unknown): string | undefined {
  const code = e !== null && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
