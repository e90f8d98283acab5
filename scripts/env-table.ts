/**
 * README's environment table, generated from src/wiring/env.ts: one row per variable of the schema,
 * in its order, with the schema's default and the variable's `.describe()` text, written
 * between two marker comments in README.md and formatted as prettier formats the file.
 *
 *   npm run docs:env               rewrite the table (after adding or changing a variable)
 *   npm run docs:env -- --check    exit 1 when README.md is not what src/wiring/env.ts says (npm run lint)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { envSchema } from '../src/wiring/env';

export const README = join(__dirname, '..', 'README.md');
export const TABLE_START = '<!-- env-table: generated from src/wiring/env.ts by `npm run docs:env`; edit the .describe() there -->';
export const TABLE_END = '<!-- /env-table -->';

/** The schema's default, as written in a shell; `—` for a variable without one (its text says what unset means). */
function defaultOf(schema: z.ZodType): string {
  if (!(schema instanceof z.ZodDefault)) return '—';
  const value: unknown = schema.def.defaultValue;
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

/** A table cell: a `|` would end it. */
const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The Markdown table, unformatted (prettier aligns it). */
export function renderEnvTable(): string {
  const rows = Object.entries(envSchema.shape).map(([name, schema]: [string, z.ZodType]) => {
    if (!schema.description) throw new Error(`src/wiring/env.ts: ${name} has no .describe(); the README table needs its text`);
    return `| \`${name}\` | ${defaultOf(schema)} | ${cell(schema.description)} |`;
  });
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** README.md as it should be: the table between the markers replaced, the file formatted. */
export async function readmeWithEnvTable(readme: string): Promise<string> {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no environment table markers (${TABLE_START} … ${TABLE_END})`);
  const replaced = `${readme.slice(0, start + TABLE_START.length)}\n\n${renderEnvTable()}\n\n${readme.slice(end)}`;
  const options = (await resolveConfig(README)) ?? {};
  return format(replaced, { ...options, filepath: README });
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const current = readFileSync(README, 'utf8');
  const wanted = await readmeWithEnvTable(current);
  if (wanted === current) return;
  if (check) {
    process.stderr.write("README.md's environment table is not what src/wiring/env.ts describes: run `npm run docs:env`\n");
    process.exitCode = 1;
    return;
  }
  writeFileSync(README, wanted);
  process.stderr.write('README.md: environment table regenerated from src/wiring/env.ts\n');
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
