/**
 * `npm run register-search-attributes`: create the relay's custom search attributes on the
 * Temporal cluster at TEMPORAL_ADDRESS (self-hosted; on Temporal Cloud create them in the
 * namespace settings or with tcld). Idempotent: existing attributes are left as they are.
 * The embedded dev server registers them itself.
 */
import { Connection } from '@temporalio/client';
import { parseEnv } from '../src/wiring/env';
import { connectionOptionsFromEnv } from '../src/temporal/connection';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const INDEXED_VALUE_TYPE: Record<string, number> = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };

async function main(): Promise<void> {
  const env = parseEnv();
  const address = env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const connection = await Connection.connect(connectionOptionsFromEnv(env, address));
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace: env.TEMPORAL_NAMESPACE });
    const missing = ALL_SEARCH_ATTRIBUTES.filter((k) => !(k.name in (existing.customAttributes ?? {})));
    if (missing.length === 0) {
      process.stdout.write(`all ${ALL_SEARCH_ATTRIBUTES.length} search attributes already exist on ${address}/${env.TEMPORAL_NAMESPACE}\n`);
      return;
    }
    await connection.operatorService.addSearchAttributes({
      namespace: env.TEMPORAL_NAMESPACE,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED_VALUE_TYPE[k.type] ?? 2])),
    });
    process.stdout.write(`created ${missing.map((k) => `${k.name} (${k.type})`).join(', ')} on ${address}/${env.TEMPORAL_NAMESPACE}\n`);
  } finally {
    await connection.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`register-search-attributes: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
