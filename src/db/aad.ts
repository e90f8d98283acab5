/**
 * The additional authenticated data of each table's sealed `secrets` column: the row's
 * identity, so a sealed value only opens in the row it was written for. Changing any of
 * these strings makes every stored secret unreadable; they are part of the storage format.
 */

export function aadCredential(name: string): string {
  return `credential_sets:${name}`;
}

export function aadSource(id: string): string {
  return `sources:${id}`;
}

export function aadDestinationVersion(name: string, version: number): string {
  return `destination_versions:${name}:${version}`;
}
