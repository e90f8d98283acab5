/**
 * The receiver's own path, without Temporal: the receiver app with an in-memory starter, the
 * bench's Capillary post sent by a keep-alive client in this process, C at a time; prints the
 * CPU this process spent per event (receiver and sender together) and the rate. It tells what
 * HTTP, authentication, JSON checks, validation, normalization and the answer cost in a tight
 * loop — against what the receiver spends per event in `npm run bench`, start included.
 *   npx tsx scripts/bench/receiver-loop.ts [--events N] [--concurrency C] [--log-level L]
 */
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { pino } from 'pino';
import { REDACTED_PATHS } from '../../src/telemetry/logger';
import { fakeStarter, startReceiver } from '../../test/helpers/receiver';
import { pointsIssuedBody, SOURCE_KEY } from './relay-config';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { events: { type: 'string' }, concurrency: { type: 'string' }, 'log-level': { type: 'string' } },
  });
  const events = Number(values.events ?? 5000);
  const concurrency = Number(values.concurrency ?? 16);
  // As createLogger makes it (pino's synchronous destination), at the receiver's default level, into /dev/null.
  const logger = pino(
    { name: 'receiver-loop', level: values['log-level'] ?? 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    pino.destination({ dest: '/dev/null', sync: true }),
  );
  const receiver = await startReceiver([{ id: 'bench1', kind: 'capillary', auth: { key: SOURCE_KEY } }], fakeStarter(), { logger });
  const dispatcher = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  const post = async (id: string) => {
    const res = await request(`${receiver.url}/v1/sources/bench1/events`, {
      method: 'POST',
      body: pointsIssuedBody(id),
      headers: { 'content-type': 'application/json', 'x-api-key': SOURCE_KEY },
      dispatcher,
    });
    await res.body.dump();
    if (res.statusCode !== 202) throw new Error(`event ${id}: ${res.statusCode}`);
  };
  const run = async (prefix: string, count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) await post(`${prefix}-${next++}`);
      }),
    );
  };
  try {
    await run('warm-up', Math.min(2000, events));
    const cpu = process.cpuUsage();
    const started = Date.now();
    await run('measured', events);
    const used = process.cpuUsage(cpu);
    const ms = (used.user + used.system) / 1000;
    process.stdout.write(
      `${events} events, ${concurrency} in flight: ${(ms / events).toFixed(3)} ms CPU per event (receiver + sender), ` +
        `${Math.round(events / ((Date.now() - started) / 1000))} events/s\n`,
    );
  } finally {
    await dispatcher.close();
    await receiver.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`receiver-loop: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
