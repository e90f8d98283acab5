/**
 * The direct relay baseline (a separate process): an Express handler that forwards each
 * posted event straight to the sink with the relay's own HTTP client — no Temporal, no
 * durability — and answers with the sink's status. Env: PORT, SINK_URL, RELAY_EXTRA_CA_CERTS.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import express from 'express';
import { createHttpClient } from '../../src/http/client';

const port = Number(process.env.PORT ?? 0);
const sinkUrl = process.env.SINK_URL ?? '';
const http = createHttpClient(process.env.RELAY_EXTRA_CA_CERTS ? { extraCa: readFileSync(process.env.RELAY_EXTRA_CA_CERTS, 'utf8') } : {});

const app = express();
app.post('/v1/sources/:sourceId/events', express.json({ limit: '1mb' }), async (req, res) => {
  const body = req.body as { eventId?: string; data?: { programCurrentPoints?: number; totalPointsIssued?: number } };
  const eventId = String(body.eventId ?? '');
  try {
    const out = await http.send({
      method: 'POST',
      url: `${sinkUrl}/d1`,
      headers: {
        'content-type': 'application/json',
        'webhook-id': `msg_${createHash('sha256').update(eventId).digest('base64url').slice(0, 32)}`,
      },
      body: JSON.stringify({ eventId, points: body.data?.totalPointsIssued, balance: body.data?.programCurrentPoints }),
      timeoutMs: 10_000,
      pool: { key: 'd1', maxConnections: 20 },
    });
    res.status(out.status >= 200 && out.status < 300 ? 202 : 502).json({ eventId });
  } catch {
    res.status(502).json({ eventId });
  }
});
const server = app.listen(port, '127.0.0.1', () => process.stdout.write(`direct relay listening on ${port}\n`));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void http.close();
});
