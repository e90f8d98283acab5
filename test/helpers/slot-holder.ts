/**
 * A process that takes one connection slot through the PostgreSQL limiter and holds it until
 * killed (test/store/http/pg-limiter.test.ts SIGKILLs it). Env: DATABASE_URL, SLOT_KEY, SLOT_LIMIT.
 */
import { createPgConcurrencyLimiter } from '../../src/http/pg-limiter';

const limiter = createPgConcurrencyLimiter({ connectionString: process.env.DATABASE_URL ?? '' });
void limiter.acquire(process.env.SLOT_KEY ?? 'k', Number(process.env.SLOT_LIMIT ?? '1')).then(() => {
  process.stdout.write('held\n');
  setInterval(() => undefined, 60_000);
});
