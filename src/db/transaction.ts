/**
 * One transaction on one pooled client: BEGIN, `fn`, COMMIT (or ROLLBACK when asked or when
 * `fn` throws). A client whose ROLLBACK fails is broken and is not handed out again.
 */
import type { Pool, PoolClient } from 'pg';

export interface TransactionOptions {
  /** The opening statement, e.g. `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`. */
  begin?: string;
  /** End with ROLLBACK even when `fn` succeeds (dry runs, reads). */
  rollback?: boolean;
}

export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(options.begin ?? 'BEGIN');
    const result = await fn(client);
    await client.query(options.rollback ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch((rollback: unknown) => {
      broken = rollback instanceof Error ? rollback : new Error(String(rollback));
    });
    throw e;
  } finally {
    client.release(broken);
  }
}
