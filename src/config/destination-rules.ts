/**
 * Rules every destination's fields follow whatever its kind, that need nothing but the values:
 * pure, so the web console checks them as they are typed with the same messages the
 * configuration file and the management API give.
 */

/** The longest destination name (it is the key of /v1/destinations/{name}). */
export const MAX_DESTINATION_NAME = 200;

/** Why `name` cannot name a destination, or undefined. Uniqueness is the store's to judge. */
export function destinationNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'name is required';
  if (name !== name.trimEnd()) return 'name must not end with spaces';
  if (name.length > MAX_DESTINATION_NAME) return `name must be at most ${MAX_DESTINATION_NAME} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'name must not hold control characters';
  if (name === '.' || name === '..') return `"${name}" cannot be addressed in a URL`;
  return undefined;
}

/** Card numbers come with a customer's identifiers from a source: without the source there are none to give. */
export function cardNumbersProblem(enrichment: { cardNumbers?: boolean; customerIdentifiers?: string | undefined }): string | undefined {
  return enrichment.cardNumbers && !enrichment.customerIdentifiers
    ? 'card numbers need a source: set enrichment.customerIdentifiers (e.g. INSTORE) too'
    : undefined;
}
