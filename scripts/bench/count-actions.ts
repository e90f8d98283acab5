/**
 * `npx tsx scripts/bench/count-actions.ts <history.json | folder>...`: billable actions,
 * history events and history bytes of saved histories — the `history-*.json` files a bench run
 * writes (any version of the bench), or `temporal workflow show --output json` output. A
 * folder stands for its `history-*.json` files. Prints one Markdown row per file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compactEventTypes, describeActions, historyFromObject, summarizeHistories } from './history';
import { markdownTable } from './report';

export function historyFiles(args: string[]): string[] {
  return args.flatMap((a) =>
    statSync(a).isDirectory()
      ? readdirSync(a)
          .filter((f) => /^history-.*\.json$/.test(f))
          .sort()
          .map((f) => join(a, f))
      : [a],
  );
}

export function countActionsTable(files: string[]): string {
  const rows = [
    [
      'History file',
      'Billable actions',
      'Breakdown',
      'History events',
      'History bytes (protobuf / JSON)',
      'Started eagerly',
      'Event types',
    ],
  ];
  for (const file of files) {
    const f = summarizeHistories([historyFromObject(JSON.parse(readFileSync(file, 'utf8')))]);
    if (!f) continue;
    rows.push([
      file,
      String(f.actions),
      describeActions(f.actionBreakdown),
      String(f.historyEvents),
      `${f.historyBytes} / ${f.historyJsonBytes}`,
      f.eagerStarts > 0 ? 'yes' : 'no',
      compactEventTypes(f.eventTypes),
    ]);
  }
  return markdownTable(rows);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    process.stdout.write('usage: npx tsx scripts/bench/count-actions.ts <history.json | folder>...\n');
    process.exit(args.length === 0 ? 1 : 0);
  }
  process.stdout.write(`${countActionsTable(historyFiles(args))}\n`);
}
