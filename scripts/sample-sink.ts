/**
 * `npm run sample-sink`: a destination and a loyalty API for trying the relay locally.
 *   - sink on http://localhost:9000 prints every delivery it receives;
 *   - loyalty API on http://localhost:9100 answers Capillary-style points-balance lookups
 *     (every customer has 1200 points; mobile 919999000001 has 4500).
 * Ports: SAMPLE_SINK_PORT, SAMPLE_LOYALTY_API_PORT.
 */
import { createServer } from 'node:http';

const sinkPort = Number(process.env.SAMPLE_SINK_PORT ?? 9000);
const apiPort = Number(process.env.SAMPLE_LOYALTY_API_PORT ?? 9100);

const sink = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let pretty = body;
    try {
      pretty = JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      /* not JSON: print as is */
    }
    process.stdout.write(`\n--- ${new Date().toISOString()} ${req.method} ${req.url}\n`);
    for (const [k, v] of Object.entries(req.headers)) process.stdout.write(`${k}: ${String(v)}\n`);
    process.stdout.write(`${pretty}\n`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success"}');
  });
});

const api = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' || url.pathname !== '/v2/customers/lookup/points/balance') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  const value = url.searchParams.get('identifierValue') ?? '';
  const totalPoints = value === '919999000001' ? 4500 : 1200;
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(
      JSON.stringify({ entityId: 1000 + value.length, entityType: 'CUSTOMER', totalPoints, mainPoints: totalPoints, promisedPoints: 0 }),
    );
});

sink.listen(sinkPort, '127.0.0.1', () => process.stdout.write(`sample sink listening on http://localhost:${sinkPort}\n`));
api.listen(apiPort, '127.0.0.1', () => process.stdout.write(`sample loyalty API listening on http://localhost:${apiPort}\n`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    sink.close();
    api.close();
    sink.closeAllConnections();
    api.closeAllConnections();
  });
}
