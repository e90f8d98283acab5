/**
 * The console's browser tests' stack, one per test file: a real dev server (the file's
 * useTestTemporal), a relay worker, the PostgreSQL store with `config(sinkUrl)` applied, an
 * HTTPS sink standing in for destinations, a receiver with the management API and the console
 * (real Temporal starter), and Debian's chromium through playwright-core, with a page signed
 * in at /console. Screenshots go to test-results/console/ (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { eventTypes } from '../../src/api/event-types';
import { Breaker } from '../../src/breaker/breaker';
import { DeliveryStats } from '../../src/breaker/delivery-stats';
import { PgDeliveryWatch } from '../../activities/breaker-watch';
import type { CanonicalEvent } from '../../src/model/canonical-event';
import type { ConfigAdmin } from '../../src/config/admin';
import type { PgConfigStore } from '../../src/config/pg-store';
import { createHttpClient } from '../../src/http/client';
import { createLogger } from '../../src/telemetry/logger';
import { createTemporalStarter } from '../../src/receiver/starter';
import { wakeHeldRuns } from '../../src/temporal/held-runs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';
import { pgStoreFor } from './config-store';
import { startHttpsSink, type HttpsSink, type HttpsSinkOptions } from './https-sink';
import { callManagement, type ManagementAnswer } from './management-client';
import { startReceiver, type TestReceiver } from './receiver';
import { startWiredRelayWorker } from './temporal';
import type { TestTemporal } from './workflow-suite';

export const CONSOLE_ADMIN_TOKEN = 'console-admin-token-0123456789abcdef';
/** Where the console's links to the Temporal UI point in these tests (nothing listens there). */
export const TEMPORAL_UI_URL = 'http://temporal-ui.invalid:8233';

/** Why the browser tests cannot run here, or false (use as node:test's `skip`). */
export const consoleSkip: string | false = existsSync(CHROMIUM_PATH)
  ? false
  : `chromium is not at ${CHROMIUM_PATH} and could not be installed (npm run ensure-chromium says why); set CHROMIUM_PATH or install Debian's chromium`;

const SCREENSHOTS = join(__dirname, '..', '..', 'test-results', 'console');

export interface ConsoleStackOptions {
  /** The configuration document (sources, destinations…), given the sink's base URL. */
  config: (sinkUrl: string) => Record<string, unknown>;
  /** How the sink answers (default 200). */
  respond?: HttpsSinkOptions['respond'];
}

export interface ConsoleStack {
  /** The receiver's base URL; the console is at `${url}/console/`. */
  url: string;
  receiver: TestReceiver;
  client: Client;
  taskQueue: string;
  sink: HttpsSink;
  store: PgConfigStore;
  admin: ConfigAdmin;
  browser: Browser;
  /** A page signed in at /console/ (the first screen loaded). */
  page: Page;
  /** Another signed-in page (its own browser context: its own cookie). */
  newSignedInPage(): Promise<Page>;
  /** A management API call with the bearer token, as a script makes it. */
  call(method: string, path: string, body?: unknown): Promise<ManagementAnswer>;
  /** Start an event's run as the receiver does. */
  start(event: CanonicalEvent): Promise<void>;
  /** Save a screenshot of `page` as test-results/console/NAME.png; returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
}

/** Open /console/ in `page` and sign in with the admin token; resolves once the navigation bar shows. */
export async function signIn(page: Page, url: string, token = CONSOLE_ADMIN_TOKEN): Promise<void> {
  await page.goto(`${url}/console/`);
  await page.fill('#token', token);
  await page.click('form[aria-label="Sign in"] button[type="submit"]');
  await page.waitForSelector('nav[aria-label="Main"]');
}

/** Build the stack once per file (call inside a test or `before`); torn down by `t`'s cleanups. */
export async function startConsoleStack(t: TestTemporal, options: ConsoleStackOptions): Promise<ConsoleStack> {
  const sink = await startHttpsSink(options.respond ? { respond: options.respond } : {});
  const { store, admin, pool, drop } = await pgStoreFor(options.config(sink.url));
  const http = createHttpClient({ extraCa: sink.ca, allowPrivateNetworks: ['127.0.0.0/8', '::1'] });
  // The circuit breaker and the shared delivery figures, as the relay's worker has them; flushed
  // often, so the health screen shows a delivery within a moment.
  const stats = new DeliveryStats(pool);
  stats.start(200);
  const worker = await startWiredRelayWorker(
    t.server,
    { store, http, watch: new PgDeliveryWatch(new Breaker(pool), () => undefined, stats) },
    'console',
  );
  const { taskQueue } = worker;
  const client = t.server.env.client;
  const logger = createLogger('silent');
  const starter = createTemporalStarter({ client, taskQueue, startTimeoutMs: 10_000, logger });
  const receiver = await startReceiver([], starter, {
    store,
    management: {
      admin,
      adminToken: CONSOLE_ADMIN_TOKEN,
      documents: { eventTypes },
      wakeHeldRuns: (name: string) => wakeHeldRuns(client, name),
      redelivery: { client, taskQueue, maxRuns: 1000, timeoutMs: 5000 },
      health: { pool, client, namespace: t.server.namespace, temporalUiUrl: TEMPORAL_UI_URL },
    },
    console: { sessionSeconds: 3600 },
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  t.cleanup(async () => {
    await browser.close();
    await receiver.close();
    await worker.stop();
    await stats.stop();
    await http.close();
    await sink.close();
    await drop();
  });
  const newSignedInPage = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signIn(page, receiver.url);
    return page;
  };
  return {
    url: receiver.url,
    receiver,
    client,
    taskQueue,
    sink,
    store,
    admin,
    browser,
    page: await newSignedInPage(),
    newSignedInPage,
    call: (method, path, body) => callManagement(receiver.url, CONSOLE_ADMIN_TOKEN, method, path, body),
    async start(event) {
      await starter.start(event);
    },
    async screenshot(page, name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
  };
}
