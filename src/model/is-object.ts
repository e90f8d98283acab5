/** A JSON object (not null, not an array): what `typeof v === 'object'` alone does not tell. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
