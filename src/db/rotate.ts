/**
 * Master key rotation, the second half: once the relay runs with the new RELAY_MASTER_KEY and
 * the old one in RELAY_MASTER_KEY_PREVIOUS, re-seal every stored secret under the new key, so
 * the old key can be dropped. One transaction: either every row moves or none does.
 * destination_versions rows are otherwise never updated; this re-seal (same plaintext, same
 * row) is the one exception.
 */
import type pg from 'pg';
import { aadCredential, aadDestinationVersion, aadSource } from './aad';
import type { SecretBox } from './secrets';
import { withTransaction } from './transaction';

interface SealedTable {
  table: string;
  /** Columns identifying a row, in the order `aad` takes them. */
  keys: string[];
  aad: (row: Record<string, unknown>) => string;
}

const TABLES: SealedTable[] = [
  { table: 'credential_sets', keys: ['name'], aad: (r) => aadCredential(r.name as string) },
  { table: 'sources', keys: ['id'], aad: (r) => aadSource(r.id as string) },
  {
    table: 'destination_versions',
    keys: ['name', 'version'],
    aad: (r) => aadDestinationVersion(r.name as string, r.version as number),
  },
];

export function reencryptSecrets(pool: pg.Pool, box: SecretBox): Promise<{ table: string; rows: number }[]> {
  return withTransaction(pool, async (client) => {
    const counts: { table: string; rows: number }[] = [];
    for (const { table, keys, aad } of TABLES) {
      const { rows } = await client.query<Record<string, unknown> & { secrets: string }>(
        `SELECT ${keys.join(', ')}, secrets FROM ${table} WHERE split_part(secrets, '.', 2) <> $1 FOR UPDATE`,
        [box.keyId],
      );
      const where = keys.map((k, i) => `${k} = $${i + 2}`).join(' AND ');
      let moved = 0;
      for (const row of rows) {
        // The SQL filter is a shortcut; the envelope parser decides.
        if (box.sealedWith(row.secrets) === box.keyId) continue;
        const identity = aad(row);
        const resealed = box.seal(box.open(row.secrets, identity), identity);
        await client.query(`UPDATE ${table} SET secrets = $1 WHERE ${where}`, [resealed, ...keys.map((k) => row[k])]);
        moved++;
      }
      counts.push({ table, rows: moved });
    }
    return counts;
  });
}
