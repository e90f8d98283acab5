/**
 * Writes to the configuration store, for the management API and `relay apply`: every entry is
 * validated by the same code as the file (validation.ts), secrets are sealed before they reach
 * SQL (the repositories), each change runs in one transaction under one lock (transaction.ts),
 * and refusals are domain errors (errors.ts) the HTTP layer maps to status codes.
 */
export { ConfigAdmin } from './transaction';
export { ConfigWriter } from './writer';
export type { Action, SaveMode } from './entry-repository';
export type { Precondition } from './precondition';
export type { StorableDestination, StorableEntry } from './validation';
export type { CredentialResource, DestinationResource, PauseFields, ResourceMeta, SourceResource } from './views';
