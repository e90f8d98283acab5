/** A plain-HTTP endpoint on loopback that records the operational alerts the relay sends it. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedAlert {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: { type: string; data: Record<string, unknown> };
}

export interface AlertSink {
  /** Where to send alerts: `http://127.0.0.1:<port>/alerts`. */
  url: string;
  /** Every request received, in order. */
  alerts: ReceivedAlert[];
  /** The status it answers with (204 unless a test changes it). */
  answer: number;
  close(): Promise<void>;
}

export async function startAlertSink(): Promise<AlertSink> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      sink.alerts.push({ headers: req.headers, body, json: JSON.parse(body) as ReceivedAlert['json'] });
      res.writeHead(sink.answer).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sink: AlertSink = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    alerts: [],
    answer: 204,
    close: () => new Promise((r) => server.close(() => r())),
  };
  return sink;
}
