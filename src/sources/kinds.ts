/** Source kinds the receiver understands; each has an adapter in this folder. */
export const SOURCE_KINDS = ['server', 'capillary', 'kognitiv', 'segment', 'clevertap', 'webengage', 'moengage', 'amplitude'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
