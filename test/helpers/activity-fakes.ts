/**
 * Fakes for the activity unit tier (no servers): an in-memory ConfigStore that honours
 * versions and pauses, a scripted HttpClient that records what was sent, and a logger that
 * keeps the activity's log lines instead of printing them.
 */
import assert from 'node:assert/strict';
import { ApplicationFailure, type LogLevel, type LogMetadata, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Info } from '@temporalio/activity';
import type { CanonicalEvent } from '../../src/model/canonical-event';
import type { ConfigStore } from '../../src/config/store';
import { toPlan, type DestinationConfig, type DestinationPlan, type DestinationState } from '../../src/model/destination';
import type { Credential } from '../../src/model/credential';
import type { SourceConfig } from '../../src/model/source';
import type { WebhookSettings } from '../../src/destinations/webhook';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/http/client';

/** A ConfigStore in memory: one current version per destination, pause flags and resolved secrets set by the test. */
export class MemoryStore implements ConfigStore {
  readonly destinations = new Map<string, DestinationConfig>();
  readonly paused = new Set<string>();
  /** Resolved secrets by destination name, by slot (`header:<Key>`, `signingSecret`…). */
  readonly secrets = new Map<string, Record<string, string>>();
  readonly credentials = new Map<string, Credential>();
  /** Every getDestinationSecrets call, as [name, version]. */
  readonly secretLookups: [string, string | undefined][] = [];

  constructor(...destinations: DestinationConfig[]) {
    for (const d of destinations) this.destinations.set(d.name, d);
  }

  getSource(): Promise<SourceConfig | undefined> {
    return Promise.resolve(undefined);
  }

  resolveSubscriptions(event: { source: string; name: string }): Promise<DestinationPlan[]> {
    return Promise.resolve(
      [...this.destinations.values()]
        .filter((d) => d.enabled && d.events.includes(event.name) && (!d.sources || d.sources.includes(event.source)))
        .map((d) => toPlan(d, this.paused.has(d.name))),
    );
  }

  planDestination(name: string): Promise<DestinationPlan | undefined> {
    const d = this.destinations.get(name);
    return Promise.resolve(d && toPlan(d, this.paused.has(name)));
  }

  destinationState(name: string): Promise<DestinationState> {
    const d = this.destinations.get(name);
    if (!d) return Promise.resolve('deleted');
    if (!d.enabled) return Promise.resolve('disabled');
    return Promise.resolve(this.paused.has(name) ? 'paused' : 'active');
  }

  getDestination(name: string, version?: string): Promise<DestinationConfig | undefined> {
    const d = this.destinations.get(name);
    return Promise.resolve(d && (version === undefined || version === d.version) ? d : undefined);
  }

  getDestinationSecrets(name: string, version?: string): Promise<Record<string, string>> {
    this.secretLookups.push([name, version]);
    return Promise.resolve(this.secrets.get(name) ?? {});
  }

  getCredential(name: string): Promise<Credential | undefined> {
    return Promise.resolve(this.credentials.get(name));
  }
}

/** One scripted answer: a response (defaults: 200, no headers, empty body), or an error to throw. */
export type Scripted = Partial<HttpResponse> | Error;

/**
 * An HttpClient answering from scripts: `script` for every URL, `routes[url]` first when the
 * request's URL has one. Every request is recorded; an unscripted request fails the test.
 */
export function fakeHttp(script: Scripted[], routes: Record<string, Scripted[]> = {}) {
  const requests: HttpRequest[] = [];
  const http: HttpClient = {
    send(req) {
      requests.push(req);
      const queue = routes[req.url] ?? script;
      const next = queue.shift();
      if (next === undefined) return Promise.reject(new Error(`unscripted request to ${req.url}`));
      if (next instanceof Error) return Promise.reject(next);
      return Promise.resolve({ status: 200, headers: {}, body: '', truncated: false, ...next });
    },
    close: () => Promise.resolve(),
  };
  return { http, requests };
}

/** A logger keeping what activities log (the SDK's default one prints to the console). */
export function memoryLogger() {
  const lines: { level: LogLevel; message: string; meta?: LogMetadata }[] = [];
  const at =
    (level: LogLevel) =>
    (message: string, meta?: LogMetadata): void => {
      lines.push({ level, message, ...(meta ? { meta } : {}) });
    };
  const logger: Logger = {
    log: (level, message, meta) => at(level)(message, meta),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
  return { logger, lines };
}

/**
 * An activity context: `run(() => activities.x(…))` runs the call inside it, typed.
 * `scheduledTimestampMs` defaults to now (the mock's default, 1, would put every attempt
 * outside any retry window).
 */
export function activityEnv(info: Partial<Info> = {}, logger: Logger = memoryLogger().logger) {
  const env = new MockActivityEnvironment({ scheduledTimestampMs: Date.now(), ...info }, { logger });
  return {
    env,
    // MockActivityEnvironment.run does not infer the result type from the function: name it.
    run: <R>(fn: () => Promise<R>): Promise<R> => env.run<[], R, () => Promise<R>>(fn),
  };
}

export function webhookDestination(
  settings: Partial<WebhookSettings> = {},
  overrides: Partial<DestinationConfig<WebhookSettings>> = {},
): DestinationConfig<WebhookSettings> {
  return {
    name: 'crm-hook',
    kind: 'webhook',
    version: 'v1',
    enabled: true,
    events: ['pointsIssued'],
    slaSeconds: 60,
    maxConnections: 4,
    timeoutSeconds: 10,
    retryWindowSeconds: 3600,
    enrichment: { pointsBalance: true },
    settings: {
      url: 'https://hooks.example.com/loyalty',
      method: 'POST',
      allowInsecureHttp: false,
      headers: [
        { key: 'X-Event', value: '{{ event.name }}', secret: false },
        { key: 'X-Api-Key', value: '${HOOK_KEY}', secret: true },
      ],
      ...settings,
    },
    ...overrides,
  };
}

export function loyaltyEvent(overrides: Partial<CanonicalEvent> = {}): CanonicalEvent {
  return {
    id: '7f0c2a8e-4b1d-4c52-9a77-1f6f3f0b9d01',
    source: 'capillary-prod',
    sourceKind: 'capillary',
    name: 'pointsIssued',
    type: 'track',
    occurredAt: '2026-11-23T09:59:00.000Z',
    receivedAt: '2026-11-23T09:59:01.000Z',
    customer: { id: '412345678', identifiers: { mobile: '919999000001', email: 'asha@example.com' } },
    properties: { loyaltyProgramId: 973, totalPointsIssued: 250 },
    ...overrides,
  };
}

/** The ApplicationFailure an activity call fails with (fails the test when it succeeds or throws anything else). */
export async function failureOf(run: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await run;
  } catch (e) {
    assert.ok(e instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the activity to fail');
}
