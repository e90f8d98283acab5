/** Source adapters by kind. Adding a kind: a new file in this folder, one line here, one in kinds.ts. */
import type { SourceAdapter } from './adapter';
import { capillarySource } from './capillary';
import type { SourceKind } from './kinds';
import { serverSource } from './server';

export const sourceAdapters: Record<SourceKind, SourceAdapter> = {
  server: serverSource,
  capillary: capillarySource,
};
