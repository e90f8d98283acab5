/**
 * Start the receiver's HTTP server: the one way every receiver listens (the relay's processes
 * and the test harnesses alike), so each runs with the explicit header, request and keep-alive
 * timeouts (RELAY_*_TIMEOUT_MS) instead of Node's defaults.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { envSchema, receiverServerOptions, type RelayEnv } from '../wiring/env';

export type ReceiverTimeouts = Pick<RelayEnv, 'RELAY_HEADERS_TIMEOUT_MS' | 'RELAY_REQUEST_TIMEOUT_MS' | 'RELAY_KEEP_ALIVE_TIMEOUT_MS'>;

/** The timeouts a relay runs with when none of RELAY_*_TIMEOUT_MS is set. */
export function defaultReceiverTimeouts(): ReceiverTimeouts {
  const { RELAY_HEADERS_TIMEOUT_MS, RELAY_REQUEST_TIMEOUT_MS, RELAY_KEEP_ALIVE_TIMEOUT_MS } = envSchema.parse({});
  return { RELAY_HEADERS_TIMEOUT_MS, RELAY_REQUEST_TIMEOUT_MS, RELAY_KEEP_ALIVE_TIMEOUT_MS };
}

/** Listen on `port` (0: any free one) and `host`; resolves once listening, rejects when the bind fails. */
export function listenReceiver(
  app: RequestListener,
  port: number,
  host: string,
  timeouts: ReceiverTimeouts = defaultReceiverTimeouts(),
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(receiverServerOptions(timeouts), app);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
