/**
 * The bench's pure parts: options, sample picking, per-event history figures (billable
 * actions, events, bytes, eager start), the count-actions script and the report's tables.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { parseHarnessArgs, stackModes } from '../../scripts/bench/args';
import { countActionsTable, historyFiles } from '../../scripts/bench/count-actions';
import { cpuSecondsOf, startCpuAccount } from '../../scripts/bench/cpu';
import { roundOrder, type BareStartResult } from '../../scripts/bench/phase-bare-start';
import { categoryOf, summarizeProfile } from '../../scripts/bench/profile-summary';
import {
  compactEventTypes,
  describeActions,
  historyBytes,
  historyFromObject,
  isEagerStart,
  pickSamples,
  summarizeHistories,
} from '../../scripts/bench/history';
import type { RelayRunResult } from '../../scripts/bench/phase-relay';
import { computeRatios, formatCpuTable, formatHistoryTable, formatTable, type BenchResults } from '../../scripts/bench/report';
import { searchAttributeProblems } from '../../scripts/bench/server';

const T = temporal.api.enums.v1.EventType;

/** A history of `relayEvent`'s healthy path: start, one workflow task with `markers` local-activity markers, one upsert. */
function relayHistory(markers: number, o: { eager?: boolean } = {}): temporal.api.history.v1.IHistory {
  const at = (ms: number) => ({ seconds: 1_800_000_000, nanos: ms * 1e6 });
  const startedTaskId = o.eager ? 102 : 110;
  const events: Record<string, unknown>[] = [
    {
      eventId: 1,
      taskId: 100,
      eventTime: at(0),
      eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
      workflowExecutionStartedEventAttributes: {},
    },
    {
      eventId: 2,
      taskId: 101,
      eventTime: at(0),
      eventType: T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      workflowTaskScheduledEventAttributes: {},
    },
    {
      eventId: 3,
      taskId: startedTaskId,
      eventTime: at(o.eager ? 0 : 8),
      eventType: T.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      workflowTaskStartedEventAttributes: { scheduledEventId: 2 },
    },
    {
      eventId: 4,
      taskId: 120,
      eventTime: at(90),
      eventType: T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
      workflowTaskCompletedEventAttributes: {},
    },
  ];
  for (let i = 0; i < markers; i++)
    events.push({
      eventId: 5 + i,
      eventType: T.EVENT_TYPE_MARKER_RECORDED,
      markerRecordedEventAttributes: { markerName: 'core_local_activity', workflowTaskCompletedEventId: 4 },
    });
  events.push(
    {
      eventId: 5 + markers,
      eventType: T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
      upsertWorkflowSearchAttributesEventAttributes: { workflowTaskCompletedEventId: 4 },
    },
    { eventId: 6 + markers, eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, workflowExecutionCompletedEventAttributes: {} },
  );
  return temporal.api.history.v1.History.fromObject({ events });
}

test('options: --stacks, latency and history options, their defaults and errors', () => {
  const d = parseHarnessArgs([]);
  assert.deepEqual(stackModes(d), ['separate', 'eager', 'combined']);
  assert.equal(d.latencyEvents, 100);
  assert.equal(d.latencyRate, 10);
  assert.equal(d.historySamples, 5);
  assert.equal(d.phases, 'bare,floor,relay,latency,direct');
  const o = parseHarnessArgs([
    '--stacks',
    'eager,combined,eager',
    '--latency-events',
    '40',
    '--latency-rate',
    '5',
    '--history-samples',
    '2',
  ]);
  assert.deepEqual(stackModes(o), ['eager', 'combined']);
  assert.equal(o.latencyEvents, 40);
  assert.equal(o.latencyRate, 5);
  assert.equal(o.historySamples, 2);
  assert.throws(() => parseHarnessArgs(['--stacks', 'eager,fast']), /--stacks: a comma list of separate, eager, combined/);
  assert.throws(() => parseHarnessArgs(['--latency-rate', '0']), /--latency-rate/);
  assert.throws(() => parseHarnessArgs(['--phases', 'relay,nope']), /--phases/);
});

test('pickSamples spreads picks over the list, first and last included', () => {
  const ids = Array.from({ length: 100 }, (_, i) => i);
  assert.deepEqual(pickSamples(ids, 5), [0, 25, 50, 74, 99]);
  assert.deepEqual(pickSamples(ids, 1), [0]);
  assert.deepEqual(pickSamples([1, 2, 3], 5), [1, 2, 3]);
  assert.deepEqual(pickSamples([], 5), []);
  assert.deepEqual(pickSamples(ids, 0), []);
});

test('summarizeHistories: billable actions, events, bytes, eager starts; the maximum when runs differ', () => {
  const f = summarizeHistories([relayHistory(4), relayHistory(4, { eager: true })]);
  assert.ok(f);
  assert.equal(f.samples, 2);
  assert.equal(f.actions, 3);
  assert.equal(describeActions(f.actionBreakdown), '1 start + 1 LA task + 1 upsert');
  assert.equal(f.historyEvents, 10);
  assert.equal(f.historyBytes, historyBytes(relayHistory(4)));
  assert.ok(f.historyJsonBytes > f.historyBytes);
  assert.equal(f.identical, true);
  assert.equal(f.eagerStarts, 1);
  assert.equal(
    compactEventTypes(f.eventTypes),
    'WORKFLOW_EXECUTION_STARTED WORKFLOW_TASK_SCHEDULED WORKFLOW_TASK_STARTED WORKFLOW_TASK_COMPLETED MARKER_RECORDED×4 UPSERT_WORKFLOW_SEARCH_ATTRIBUTES WORKFLOW_EXECUTION_COMPLETED',
  );

  const differ = summarizeHistories([relayHistory(4), relayHistory(8)]);
  assert.equal(differ?.identical, false);
  assert.equal(differ?.historyEvents, 14);
  assert.equal(summarizeHistories([]), undefined);
});

test('isEagerStart: the first workflow task started in the start write', () => {
  assert.equal(isEagerStart(relayHistory(1, { eager: true }).events ?? []), true);
  assert.equal(isEagerStart(relayHistory(1).events ?? []), false);
  assert.equal(isEagerStart([]), false);
});

test('historyFromObject reads the bench JSON and canonical (CLI) JSON to the same history', () => {
  const h = relayHistory(4);
  const benchJson: unknown = JSON.parse(JSON.stringify(h));
  const cliJson: unknown = JSON.parse(historyToJSON(h));
  for (const json of [benchJson, cliJson]) {
    const back = historyFromObject(json);
    assert.equal(historyBytes(back), historyBytes(h));
    assert.equal(isEagerStart(back.events ?? []), false);
    assert.equal(summarizeHistories([back])?.actions, 3);
  }
});

test('count-actions prints a row per saved history, a folder standing for its history-*.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'count-actions-'));
  try {
    writeFileSync(join(dir, 'history-relay-1-dest.json'), JSON.stringify(relayHistory(4), null, 1));
    writeFileSync(join(dir, 'history-relay-3-dest.json'), historyToJSON(relayHistory(8, { eager: true })));
    writeFileSync(join(dir, 'other.json'), '{}');
    const files = historyFiles([dir]);
    assert.deepEqual(
      files.map((f) => f.slice(dir.length + 1)),
      ['history-relay-1-dest.json', 'history-relay-3-dest.json'],
    );
    const table = countActionsTable(files);
    assert.match(table, /history-relay-1-dest\.json \| 3 +\| 1 start \+ 1 LA task \+ 1 upsert \| 10 +\| \d+ \/ \d+ +\| no /);
    assert.match(table, /history-relay-3-dest\.json \| 3 +\| 1 start \+ 1 LA task \+ 1 upsert \| 14 +\| \d+ \/ \d+ +\| yes /);
    assert.match(table, /MARKER_RECORDED×8/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('search attributes: missing or mistyped ones are named', () => {
  const all = {
    RelayEventName: 2,
    RelaySource: 2,
    RelayCustomerId: 2,
    RelayDeliveryStatus: 2,
    RelaySlaBreached: 5,
    RelayDestinations: 7,
    RelayFailedDestinations: 7,
    RelayHeldDestinations: 7,
  };
  assert.deepEqual(searchAttributeProblems(all), []);
  const withoutHeld: Record<string, number> = { ...all, RelayFailedDestinations: 2 };
  delete withoutHeld.RelayHeldDestinations;
  assert.deepEqual(searchAttributeProblems(withoutHeld), [
    'RelayFailedDestinations is registered with type 2, not KEYWORD_LIST',
    'RelayHeldDestinations (KEYWORD_LIST) is not registered',
  ]);
});

const latency = (p50: number) => ({ count: 10, p50, p95: p50 * 2, p99: p50 * 3, max: p50 * 3 });
/** Phase 1 on the separate stack: 10 starts at 50/s, p50 20 ms; `extra` on top. */
function separateBareStart(extra: Partial<BareStartResult> = {}): BareStartResult {
  return { stack: 'separate', started: 10, failed: 0, startsPerSecond: 50, latencyMs: latency(20), ...extra };
}
/** The table's first line that `start` matches ('' when none). */
const lineOf = (table: string, start: RegExp) => table.split('\n').find((l) => start.test(l)) ?? '';
function relayRun(stack: string | undefined, destinations: number, perSecond: number, p50: number): RelayRunResult {
  return {
    destinations,
    ...(stack ? { stack } : {}),
    sent: 10,
    acknowledged: 10,
    acceptedPerSecond: perSecond * 2,
    ackLatencyMs: latency(p50 / 4),
    delivered: 10,
    deliveries: 10 * destinations,
    duplicates: 0,
    deliveredEventsPerSecond: perSecond,
    endToEndLatencyMs: latency(p50),
  };
}

function results(): BenchResults {
  const floor = summarizeHistories([
    temporal.api.history.v1.History.fromObject({
      events: [
        { eventId: 1, workflowExecutionStartedEventAttributes: {} },
        { eventId: 5, activityTaskScheduledEventAttributes: {} },
        { eventId: 6, activityTaskStartedEventAttributes: { scheduledEventId: 5, attempt: 1 } },
      ],
    }),
  ]);
  const relay1 = summarizeHistories([relayHistory(4)]);
  const relay1Eager = summarizeHistories([relayHistory(4, { eager: true })]);
  assert.ok(floor && relay1 && relay1Eager);
  const r: BenchResults = {
    command: 'npm run bench',
    startedAt: '2026-01-01T00:00:00Z',
    machine: { cores: 2, memoryGiB: 24, cpu: 'x', node: 'v20', loadAverageAtStart: [0] },
    server: { mode: 'dev', description: 'dev' },
    options: {},
    stacks: ['separate', 'eager'],
    bareStart: { started: 10, failed: 0, startsPerSecond: 100, latencyMs: latency(10) },
    floor: { started: 10, completed: 10, completionsPerSecond: 50, latencyMs: latency(40) },
    relay: [relayRun('separate', 1, 20, 200), relayRun('separate', 3, 10, 300), relayRun('eager', 1, 25, 150)],
    direct: relayRun(undefined, 1, 100, 5),
    latency: {
      events: 10,
      ratePerSecond: 10,
      relay: [relayRun('separate', 1, 10, 80), relayRun('eager', 1, 10, 60)],
      direct: relayRun(undefined, 1, 10, 4),
    },
    history: [
      { workflow: 'floor', ...floor },
      { workflow: 'relay 1 dest', stack: 'separate', ...relay1 },
      { workflow: 'relay 1 dest', stack: 'eager', ...relay1Eager },
      { workflow: 'relay 1 dest at 10/s', stack: 'eager', phase: 'latency', ...relay1Eager },
    ],
    historyEventsPerRelayedEvent: { 'relay 1 dest': 10, floor: 3 },
    peakRssMiB: { 'relay worker': 300, receiver: 150, 'relay worker + receiver [eager]': 350 },
    stackStartSeconds: { separate: 8, eager: 3.5 },
    ratios: {},
  };
  r.ratios = computeRatios(r);
  return r;
}

test('computeRatios: per stack against the floors and the direct relay, stack against stack, actions against the floor', () => {
  const { ratios } = results();
  assert.equal(ratios['relay 1 dest ÷ floor (throughput) [separate]'], 0.4);
  assert.equal(ratios['relay 3 dest ÷ floor (throughput) [separate]'], 0.2);
  assert.equal(ratios['relay 1 dest ÷ floor (throughput) [eager]'], 0.5);
  assert.equal(ratios['ingest ÷ bare start (throughput) [separate]'], 0.4);
  assert.equal(ratios['ingest ÷ bare start (p50 latency) [eager]'], 3.75);
  assert.equal(ratios['relay ÷ direct (throughput) [separate]'], 0.2);
  assert.equal(ratios['relay ÷ direct at 10/s (p50 latency) [separate]'], 20);
  assert.equal(ratios['relay ÷ direct at 10/s (p50 latency) [eager]'], 15);
  assert.equal(ratios['eager ÷ separate (1 dest throughput)'], 1.25);
  assert.equal(ratios['eager ÷ separate (p50 latency at 10/s)'], 0.75);
  assert.equal(ratios['eager ÷ combined (1 dest throughput)'], undefined);
  assert.equal(ratios['relay 1 dest ÷ floor (billable actions per event)'], 1.5);
  assert.deepEqual(
    Object.keys(ratios).filter((k) => k.includes('billable')),
    ['relay 1 dest ÷ floor (billable actions per event)'],
  );
});

test('formatTable: a stack and a ratio column, the latency rows, the per-event history table', () => {
  const table = formatTable(results());
  const line = (start: RegExp) => lineOf(table, start);
  assert.match(line(/^\| 2\. Ingest, 1 dest .*\| separate/), /\| 40 +\| 50 \/ 100 \/ 150 +\| 0\.4× bare start +\|$/);
  assert.match(
    line(/^\| 4\. Relay end to end, 3 dest/),
    /\| separate \| 10\/10 events, 0 dup \| 10 +\| 300 \/ 600 \/ 900 +\| 0\.2× floor +\|$/,
  );
  assert.match(line(/^\| 4\. Relay end to end, 1 dest .*\| eager/), /\| 0\.5× floor +\|$/);
  assert.match(line(/^\| 6\. Latency at 10\/s, 1 dest .*\| eager/), /\| 60 \/ 120 \/ 180 +\| p50 15× direct +\|$/);
  assert.match(line(/^\| 6\. Latency at 10\/s, direct relay/), /\| 4 \/ 8 \/ 12 /);
  assert.match(line(/^\| floor /), /\| 2 +\| 1 start \+ 1 activity +\| 3 +\| \d+ \/ \d+ +\| 0\/1 +\|$/);
  assert.match(line(/^\| relay 1 dest at 10\/s \| eager/), /\| 1\/1 +\|$/);
  assert.match(line(/^\| relay 1 dest +\| eager/), /\| 3 +\| 1 start \+ 1 LA task \+ 1 upsert \| 10 +\| \d+ \/ \d+ +\| 1\/1 +\|$/);
  assert.match(table, /\| relay 1 dest ÷ floor \(billable actions per event\) \| 1\.5 \|/);
  assert.match(table, /Peak RSS: relay worker 300 MiB, receiver 150 MiB, relay worker \+ receiver \[eager\] 350 MiB\./);
  assert.match(table, /Relay worker start: separate 8 s, eager 3\.5 s\./);
  assert.match(table, /Stacks: separate = worker-main and receiver-main as two processes; eager = npm start/);
});

test('formatHistoryTable marks figures that differ between runs', () => {
  const f = summarizeHistories([relayHistory(4), relayHistory(5)]);
  assert.ok(f);
  assert.match(formatHistoryTable([{ workflow: 'relay 1 dest', ...f }]), /\| 3 \(max; runs differ\) +\| .* \| 11 \(max; runs differ\) \|/);
});

test('formatTable without the new phases keeps the old shape (bare, floor, relay, direct)', () => {
  const r = results();
  delete r.latency;
  delete r.history;
  delete r.stacks;
  r.relay = r.relay.map(({ stack: _stack, ...x }) => x);
  r.ratios = computeRatios(r);
  const table = formatTable(r);
  assert.doesNotMatch(table, /6\. Latency|Per event|Stacks:/);
  assert.match(table, /\| ingest ÷ bare start \(throughput\) \| 0\.4 \|/);
  assert.match(table, /\| 5\. Direct relay, no Temporal \(POST → sink\) +\| +\| 10\/10 /);
});

test('a bare start per stack: each ingest phase is compared with the one on its own stack, CPU per event by process', () => {
  const r = results();
  r.bareStarts = [
    separateBareStart({ cpuMsPerEvent: { temporal: 5, harness: 1.5, machine: 12 } }),
    { stack: 'eager', started: 10, failed: 0, startsPerSecond: 25, latencyMs: latency(40) },
  ];
  r.relay[0] = { ...(r.relay[0] as RelayRunResult), ingestCpuMsPerEvent: { temporal: 5.5, harness: 0.7, receiver: 2, machine: 13 } };
  r.ratios = computeRatios(r);
  assert.equal(r.ratios['ingest ÷ bare start (throughput) [separate]'], 0.8);
  assert.equal(r.ratios['ingest ÷ bare start (throughput) [eager]'], 2);
  const table = formatTable(r);
  const line = (start: RegExp) => lineOf(table, start);
  assert.match(line(/^\| 1\. Bare start .*\| eager/), /\| 10 +\| 25 +\|/);
  assert.match(line(/^\| 2\. Ingest, 1 dest .*\| separate/), /\| 0\.8× bare start +\|$/);
  const cpu = formatCpuTable(r) ?? '';
  assert.match(cpu, /^\| CPU ms per event +\| Stack +\| temporal \| harness \| receiver \| machine \(all processes\) \|$/m);
  assert.match(cpu, /^\| 1\. Bare start +\| separate \| 5 +\| 1\.5 +\| +\| 12 +\|$/m);
  assert.match(cpu, /^\| 2\. Ingest, 1 dest \| separate \| 5\.5 +\| 0\.7 +\| 2 +\| 13 +\|$/m);
});

test('startCpuAccount: CPU ms per event of the processes named, and of the whole machine', () => {
  const end = startCpuAccount({ harness: () => process.pid, gone: () => undefined });
  const until = Date.now() + 50;
  while (Date.now() < until); // burn some CPU in this process
  const perEvent = end(10);
  assert.ok((perEvent.harness ?? 0) > 0, JSON.stringify(perEvent));
  assert.ok((perEvent.machine ?? 0) >= (perEvent.harness ?? 0) * 0.5, JSON.stringify(perEvent));
  assert.equal(perEvent.gone, undefined);
  assert.equal(cpuSecondsOf(2 ** 30), undefined, 'no such process');
});

test('summarizeProfile: self time by package or folder, total time counted once per sample, a time window', () => {
  const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
  const profile = {
    startTime: 0,
    endTime: 4000,
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 5] },
      { id: 2, callFrame: frame('handler', 'file:///repo/src/receiver/app.ts'), children: [3] },
      { id: 3, callFrame: frame('handler', 'file:///repo/src/receiver/app.ts'), children: [4] },
      { id: 4, callFrame: frame('write', 'file:///repo/node_modules/pino/lib/proto.js') },
      { id: 5, callFrame: frame('(idle)', '') },
    ],
    samples: [4, 3, 5, 4],
    timeDeltas: [1e6, 1e6, 1e6, 1e6], // microseconds: a sample a second
  };
  const s = summarizeProfile(profile);
  assert.deepEqual(s.categories, [
    ['pino', 2000],
    ['src/receiver', 1000],
    ['(idle)', 1000],
  ]);
  // handler recurses (nodes 2 and 3): counted once per sample.
  assert.equal(new Map(s.total).get('handler src/receiver/app.ts:1'), 3000);
  // Busy ms per second of the profile (the idle sample is not busy).
  assert.deepEqual(
    Array.from(s.timeline, (ms) => ms ?? 0),
    [0, 1000, 1000, 0, 1000],
  );
  assert.equal(summarizeProfile(profile, { from: 2500 }).sampledMs, 2000);
  assert.equal(categoryOf(frame('x', 'node:internal/http2/core')), 'node:internal');
});

test('bare start alternating with ingestion: rounds in mirrored order, the ratio from the alternating rounds', () => {
  assert.deepEqual(roundOrder(2), ['bare', 'ingest', 'ingest', 'bare']);
  assert.deepEqual(roundOrder(3), ['bare', 'ingest', 'ingest', 'bare', 'bare', 'ingest']);
  const r = results();
  r.bareStarts = [
    separateBareStart({
      rounds: 6,
      ingest: { acknowledged: 10, sent: 10, acceptedPerSecond: 45, ackLatencyMs: latency(22), cpuMsPerEvent: { receiver: 2 } },
    }),
  ];
  r.ratios = computeRatios(r);
  assert.equal(r.ratios['ingest ÷ bare start (throughput) [separate]'], 0.9);
  assert.equal(r.ratios['ingest ÷ bare start (p50 latency) [separate]'], 1.1);
  const table = formatTable(r);
  const line = (start: RegExp) => lineOf(table, start);
  assert.match(
    line(/^\| 1\. Ingest, alternating with it \(POST → 202, 6 rounds\) +\| separate/),
    /\| 10\/10 +\| 45 +\| .*\| 0\.9× bare start +\|$/,
  );
  // The 1-destination pass is not compared with the bare start a second time.
  assert.match(line(/^\| 2\. Ingest, 1 dest .*\| separate/), /\| +\|$/);
  assert.match(formatCpuTable(r) ?? '', /^\| 1\. Ingest, alternating \| separate \| 2 /m);
});
