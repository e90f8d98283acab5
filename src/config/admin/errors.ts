/**
 * What a write to the configuration store can refuse, as the store knows it. No HTTP here:
 * the HTTP error mapping (src/http/inbound/config-store-errors.ts) gives each a status and a
 * machine-readable code; `relay apply` reports them as configuration problems.
 */
import type { FieldIssue } from '../../model/field-issue';

/** An entry (request body, or a file's entry) breaks the configuration rules; `problems` names each. */
export class InvalidEntryError extends Error {
  readonly problems: FieldIssue[];
  constructor(
    /** What was refused, e.g. `the destination`. */
    readonly what: string,
    problems: FieldIssue[],
  ) {
    super(`${what} is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'})`);
    this.name = new.target.name;
    // Paths of nested problems start with a dot (`.url`); an entry's own fields are named bare.
    this.problems = problems.map((p) => ({ ...p, path: p.path.replace(/^\./, '') }));
  }
}

/** Create of an entry whose name (or id) is already used: names are unique and case-sensitive. */
export class NameTakenError extends Error {
  constructor(
    readonly what: string,
    readonly key: string,
  ) {
    super(`a ${what} named "${key}" exists (names are unique and case-sensitive)`);
    this.name = new.target.name;
  }
}

/** A destination defines its credential set inline (`auth: {...}`) under a name a set already has. */
export class InlineCredentialExistsError extends Error {
  constructor(readonly credential: string) {
    super(`a credential set named "${credential}" exists: name it in "auth" instead of defining it again`);
    this.name = new.target.name;
  }
}

/** The entry an update or delete names does not exist. */
export class EntryNotFoundError extends Error {
  constructor(
    readonly what: string,
    readonly key: string,
  ) {
    super(`${what} "${key}" does not exist`);
    this.name = new.target.name;
  }
}

/** The entry changed since the caller read it: its version is not the one the caller expected. */
export class VersionConflictError extends Error {
  constructor(
    /** The entry, e.g. `destination "crm"`. */
    readonly entry: string,
    readonly current: number,
    readonly expected: number,
  ) {
    super(`${entry} is at version ${current}, not ${expected}: it changed since you read it; read it again and reapply your change`);
    this.name = new.target.name;
  }
}

/** An update changes a destination's kind, events or sources, which are fixed once it exists. */
export class ImmutableFieldError extends Error {
  constructor(
    readonly destination: string,
    readonly field: 'kind' | 'events' | 'sources',
    readonly was: unknown,
  ) {
    super(
      `the ${field} of destination "${destination}" cannot change after creation (was ${JSON.stringify(was)}): create a new destination, then delete this one`,
    );
    this.name = new.target.name;
  }
}

/** A credential set or source still used by destinations cannot be deleted. */
export class EntryInUseError extends Error {
  constructor(
    readonly what: 'credential set' | 'source',
    readonly key: string,
    /** The destinations using it, by name. */
    readonly usedBy: string[],
  ) {
    const many = usedBy.length !== 1;
    const names = usedBy.map((u) => `"${u}"`).join(', ');
    super(
      what === 'credential set'
        ? `credential set "${key}" is used by destination${many ? 's' : ''} ${names}: change or delete ${many ? 'them' : 'it'} first`
        : `source "${key}" is named by destination${many ? 's' : ''} ${names}: delete ${many ? 'them' : 'it'} first`,
    );
    this.name = new.target.name;
  }
}
