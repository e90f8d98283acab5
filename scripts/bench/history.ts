/**
 * What one event costs in Temporal, read from the histories of a few finished runs: billable
 * actions (src/temporal/billable-actions.ts), history events and history size. Size is the
 * length of the history serialized as protobuf (temporal.api.history.v1.History, what the
 * server stores and sends), and, for reference, of its compact JSON.
 */
import type { Client } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { countBillableActions, type ActionCount } from '../../src/temporal/billable-actions';

type History = temporal.api.history.v1.IHistory;

export interface HistoryFigures {
  /** Runs read. */
  samples: number;
  /** Per run; the maximum over the samples (they are normally identical). */
  actions: number;
  /** The breakdown of the run with the most actions. */
  actionBreakdown: ActionCount;
  historyEvents: number;
  /** Protobuf-serialized history, bytes. */
  historyBytes: number;
  /** Compact JSON of the history (JSON.stringify of the fetched object), bytes. */
  historyJsonBytes: number;
  /** False when the samples differ in actions or event count (then the maxima are reported). */
  identical: boolean;
  /** Event types of the run with the most events, in order (to see what an event costs). */
  eventTypes: string[];
  /** Runs whose first workflow task was handed out with the start (Eager Workflow Start); see isEagerStart. */
  eagerStarts: number;
}

/** `n` items spread evenly over `items`, first and last included (all of them when there are fewer). */
export function pickSamples<T>(items: readonly T[], n: number): T[] {
  if (n <= 0 || items.length === 0) return [];
  if (items.length <= n) return [...items];
  if (n === 1) return [items[0] as T];
  const picked = new Set<number>();
  for (let i = 0; i < n; i++) picked.add(Math.round((i * (items.length - 1)) / (n - 1)));
  return [...picked].sort((a, b) => a - b).map((i) => items[i] as T);
}

/** A saved history file (JSON of a fetched history, or the CLI's `temporal workflow show --output json`) as a History. */
export function historyFromObject(json: unknown): History {
  const first = (json as { events?: { eventTime?: unknown }[] } | undefined)?.events?.[0];
  // The CLI and UI write canonical proto3 JSON (timestamps as strings); the bench writes protobufjs' own JSON.
  if (typeof first?.eventTime === 'string') return temporal.api.history.v1.History.fromObject(historyFromJSON(json));
  return temporal.api.history.v1.History.fromObject(json as Record<string, unknown>);
}

export function historyBytes(history: History): number {
  return temporal.api.history.v1.History.encode(history).finish().length;
}

/** Name of an event's type, whether it came decoded (a number) or from JSON (a string). */
export function eventTypeName(e: temporal.api.history.v1.IHistoryEvent): string {
  const t = e.eventType as unknown;
  const name = typeof t === 'string' ? t : (temporal.api.enums.v1.EventType[Number(t)] ?? String(t));
  return name.replace(/^EVENT_TYPE_/, '');
}

/** Milliseconds of a history timestamp: decoded ({ seconds: Long, nanos }), from JSON ({ seconds: '…' }) or an RFC 3339 string. */
export function timestampMs(t: unknown): number {
  if (typeof t === 'string') {
    const fraction = /\.(\d+)/.exec(t)?.[1] ?? '';
    return Date.parse(t.replace(/\.\d+/, '')) + Number(`0.${fraction || '0'}`) * 1000;
  }
  const { seconds, nanos } = (t ?? {}) as { seconds?: unknown; nanos?: unknown };
  return Number(seconds ?? 0) * 1000 + Number(nanos ?? 0) / 1e6;
}

/**
 * Whether the run was started eagerly: the server then records its first workflow task as
 * started in the same write as the start (consecutive task ids, the same instant). Otherwise
 * the task is started in a later write, after matching handed it to a poller.
 */
export function isEagerStart(events: temporal.api.history.v1.IHistoryEvent[]): boolean {
  const scheduled = events.find((e) => e.workflowTaskScheduledEventAttributes);
  const started = events.find((e) => e.workflowTaskStartedEventAttributes);
  if (!scheduled || !started) return false;
  const sameWrite = Number(started.taskId) === Number(scheduled.taskId) + 1;
  return sameWrite && Math.abs(timestampMs(started.eventTime) - timestampMs(scheduled.eventTime)) < 1;
}

export function summarizeHistories(histories: History[]): HistoryFigures | undefined {
  if (histories.length === 0) return undefined;
  const rows = histories.map((h) => {
    const events = h.events ?? [];
    return {
      count: countBillableActions(events),
      events: events.length,
      bytes: historyBytes(h),
      jsonBytes: Buffer.byteLength(JSON.stringify(h)),
      types: events.map(eventTypeName),
      eager: isEagerStart(events),
    };
  });
  const most = rows.reduce((a, b) => (b.count.total > a.count.total ? b : a));
  const longest = rows.reduce((a, b) => (b.events > a.events ? b : a));
  return {
    samples: rows.length,
    actions: most.count.total,
    actionBreakdown: most.count,
    historyEvents: longest.events,
    historyBytes: Math.max(...rows.map((r) => r.bytes)),
    historyJsonBytes: Math.max(...rows.map((r) => r.jsonBytes)),
    identical: rows.every((r) => r.count.total === most.count.total && r.events === longest.events),
    eventTypes: longest.types,
    eagerStarts: rows.filter((r) => r.eager).length,
  };
}

/** Event types with runs of the same type folded: `MARKER_RECORDED×4`. */
export function compactEventTypes(types: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < types.length;) {
    let j = i;
    while (types[j + 1] === types[i]) j++;
    out.push(j > i ? `${types[i]}×${j - i + 1}` : String(types[i]));
    i = j + 1;
  }
  return out.join(' ');
}

/** The breakdown in words, e.g. `1 start + 1 LA task + 1 upsert`. */
export function describeActions(c: ActionCount): string {
  const parts: [number, string][] = [
    [c.starts, 'start'],
    [c.activityAttempts, 'activity'],
    [c.markerTasks, 'LA task'],
    [c.timers, 'timer'],
    [c.upserts, 'upsert'],
    [c.signals, 'signal'],
    [c.updates, 'update'],
  ];
  return (
    parts
      .filter(([v]) => v > 0)
      .map(([v, name]) => `${v} ${name}`)
      .join(' + ') || 'none'
  );
}

/** Wait (bounded) for each run to close, then read its history. Runs still open after the wait are read as they are. */
export async function fetchHistories(client: Client, workflowIds: string[], timeoutMs = 60_000): Promise<History[]> {
  const deadline = Date.now() + timeoutMs;
  const out: History[] = [];
  for (const id of workflowIds) {
    const handle = client.workflow.getHandle(id);
    while (Date.now() < deadline) {
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    out.push(await handle.fetchHistory());
  }
  return out;
}

/** Wait until no run on `taskQueue` is open (bounded): the next stack must not finish this one's runs. */
export async function waitForClosed(client: Client, taskQueue: string, timeoutMs: number): Promise<void> {
  const query = `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { count } = await client.workflow.count(query);
    if (count === 0) return;
    if (Date.now() > deadline) throw new Error(`${count} run(s) on ${taskQueue} still open after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
