/**
 * One transaction's reads and writes of the configuration store: the three repositories under
 * the names the management API, `relay apply` and the tests call.
 */
import type { PoolClient } from 'pg';
import type { UrlRules } from '../../destinations/connector';
import type { Sealer } from '../pg-store';
import type { Credential } from '../../model/credential';
import type { DestinationConfig } from '../../model/destination';
import type { SourceConfig } from '../../model/source';
import { DestinationRepository } from './destination-repository';
import {
  credentialRepository,
  sourceRepository,
  type Action,
  type CredentialRepository,
  type SaveMode,
  type SourceRepository,
} from './entry-repository';
import type { Precondition } from './precondition';
import type { DestinationRow, EntryRow } from './rows';
import { credentialSecrets, storableDestination, type StorableDestination, type StorableEntry } from './validation';
import type { CredentialResource, DestinationResource, SourceResource } from './views';

export class ConfigWriter {
  readonly destinations: DestinationRepository;
  readonly credentials: CredentialRepository;
  readonly sources: SourceRepository;

  constructor(
    db: PoolClient,
    sealer: Sealer,
    /** The allowlist and the relay's own port, for the URL rules (as the file is checked). */
    urlRules: UrlRules = { allowPrivateNetworks: [] },
  ) {
    this.credentials = credentialRepository(db, sealer, urlRules);
    this.sources = sourceRepository(db, sealer, urlRules);
    this.destinations = new DestinationRepository(db, sealer, urlRules, this.credentials, this.sources);
  }

  listDestinations(): Promise<DestinationResource[]> {
    return this.destinations.list();
  }
  getDestination(name: string): Promise<DestinationResource | undefined> {
    return this.destinations.get(name);
  }
  createDestination(input: unknown): Promise<DestinationResource> {
    return this.destinations.create(input);
  }
  replaceDestination(name: string, input: unknown, pre: Precondition): Promise<DestinationResource> {
    return this.destinations.replace(name, input, pre);
  }
  deleteDestination(name: string, pre: Precondition): Promise<void> {
    return this.destinations.delete(name, pre);
  }
  saveDestination(d: StorableDestination, mode: SaveMode, known?: DestinationRow): Promise<Action> {
    return this.destinations.save(d, mode, known);
  }
  storableDestination(config: DestinationConfig | Omit<DestinationConfig, 'version'>): StorableDestination {
    return storableDestination(config);
  }

  listCredentials(): Promise<CredentialResource[]> {
    return this.credentials.list();
  }
  getCredential(name: string): Promise<CredentialResource | undefined> {
    return this.credentials.get(name);
  }
  createCredential(input: unknown): Promise<CredentialResource> {
    return this.credentials.create(input);
  }
  replaceCredential(name: string, input: unknown, pre: Precondition): Promise<CredentialResource> {
    return this.credentials.replace(name, input, pre);
  }
  deleteCredential(name: string, pre: Precondition): Promise<void> {
    return this.credentials.delete(name, pre);
  }
  saveCredential(c: StorableEntry<Credential>, mode: SaveMode, known?: EntryRow<Credential>): Promise<Action> {
    return this.credentials.save(c, mode, known);
  }
  credentialSecrets(c: Credential): Record<string, string> {
    return credentialSecrets(c);
  }

  listSources(): Promise<SourceResource[]> {
    return this.sources.list();
  }
  getSource(id: string): Promise<SourceResource | undefined> {
    return this.sources.get(id);
  }
  createSource(input: unknown): Promise<SourceResource> {
    return this.sources.create(input);
  }
  replaceSource(id: string, input: unknown, pre: Precondition): Promise<SourceResource> {
    return this.sources.replace(id, input, pre);
  }
  deleteSource(id: string, pre: Precondition): Promise<void> {
    return this.sources.delete(id, pre);
  }
  saveSource(s: StorableEntry<SourceConfig>, mode: SaveMode, known?: EntryRow<SourceConfig>): Promise<Action> {
    return this.sources.save(s, mode, known);
  }
}
