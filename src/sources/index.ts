/** Source adapters by kind. Adding a kind: a new file in this folder, one line here, one in kinds.ts. */
import type { SourceAdapter } from './adapter';
import { amplitudeSource } from './amplitude';
import { capillarySource } from './capillary';
import { clevertapSource } from './clevertap';
import type { SourceKind } from './kinds';
import { kognitivSource } from './kognitiv';
import { moengageSource } from './moengage';
import { segmentSource } from './segment';
import { serverSource } from './server';
import { webengageSource } from './webengage';

export const sourceAdapters: Record<SourceKind, SourceAdapter> = {
  server: serverSource,
  capillary: capillarySource,
  kognitiv: kognitivSource,
  segment: segmentSource,
  clevertap: clevertapSource,
  webengage: webengageSource,
  moengage: moengageSource,
  amplitude: amplitudeSource,
};
