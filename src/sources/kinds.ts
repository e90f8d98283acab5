/** Source kinds the receiver understands; each has an adapter in this folder. */
export const SOURCE_KINDS = ['server', 'capillary'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
