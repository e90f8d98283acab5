/** The breaker's cost per attempt on PostgreSQL: `node --import tsx test/bench/breaker-cost.ts` (not part of npm test). */
import { Breaker } from '../../src/breaker/breaker';
import { pgStoreFor } from '../helpers/config-store';
async function main() {
  const { pool, drop } = await pgStoreFor({
    destinations: [{ name: 'crm', kind: 'webhook', events: ['pointsIssued'], url: 'https://crm.example.com/hook' }],
  });
  const b = new Breaker(pool, 60);
  await b.succeeded('crm');
  for (const conc of [1, 8]) {
    const n = 2000;
    const t0 = performance.now();
    let i = 0;
    await Promise.all(
      Array.from({ length: conc }, async () => {
        while (i++ < n) await b.succeeded('crm');
      }),
    );
    const ms = performance.now() - t0;
    console.log(`succeeded(): ${n} calls, concurrency ${conc}: ${(ms / n).toFixed(3)} ms/call wall, ${((n / ms) * 1000).toFixed(0)}/s`);
  }
  const t1 = performance.now();
  for (let k = 0; k < 1000; k++) await b.failed({ destination: 'crm', settings: { minFailedAttempts: 1e6 }, gone: false, problem: 'x' });
  console.log(`failed(): ${((performance.now() - t1) / 1000).toFixed(3)} ms/call`);
  await drop();
}
void main();
