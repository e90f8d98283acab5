/**
 * `npm run lint` (and so CI) fails when the relay's own modules import each other in a circle:
 * layers are meant to depend one way (the model at the bottom, then the store, connectors and
 * sources, the activities, the HTTP apps, the wiring and the entry points on top), and a cycle
 * is where that has started to slip. Prints one loop per cycle.
 */
import { join } from 'node:path';
import { describeCycle, findCycles, importGraph } from './import-cycles';

const ROOT = join(__dirname, '..', '..');
const FILE_FOLDERS = ['src', 'activities', 'workflows', 'scripts', 'console'];

const graph = importGraph(FILE_FOLDERS.map((folder) => join(ROOT, folder)));
const cycles = findCycles(graph);
if (cycles.length > 0) {
  process.stderr.write(`${cycles.length} import cycle(s):\n`);
  for (const cycle of cycles) process.stderr.write(`  ${describeCycle(cycle, ROOT)}\n`);
  process.exit(1);
}
process.stdout.write(`no import cycles among ${graph.size} files (${FILE_FOLDERS.join('/, ')}/)\n`);
