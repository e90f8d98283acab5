/**
 * `relay redeliver`: the management API's redelivery routes from a terminal. It talks to a
 * running relay (RELAY_ADMIN_TOKEN, `--url`), so refusals, audit log lines and metrics are the
 * API's own; a bulk redelivery is followed by polling GET /v1/redeliveries/{id}.
 */
import { parseArgs } from 'node:util';
import type { RedeliveryProgress } from '../../workflows/bulk-redeliver';

export const REDELIVER_USAGE = `  redeliver --source S --event ID [--destination D]…
                              redeliver one event: its failed destinations, or the named ones
  redeliver --workflow-id W [--destination D]…
                              the same, by the run's workflow id
  redeliver --bulk --since T [--until T] [--destination D] [--status failed|partially_delivered]
                              redeliver every parked run accepted in [T, until or now), and
                              follow its progress (--no-wait: print the id and return)
  redeliver --progress ID     follow a bulk redelivery started earlier
                              (all talk to the relay at --url, default http://127.0.0.1:$PORT,
                              with RELAY_ADMIN_TOKEN)`;

export class RedeliverUsageError extends Error {}

/** The relay answered with an error, or could not be reached: printed as it is, exit code 1. */
class ApiCallError extends Error {}

interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** Between two progress polls. */
  intervalMs: number;
}

interface ApiError {
  code?: string;
  message?: string;
}

async function call(base: string, token: string, method: string, path: string, body?: unknown) {
  let res: Response;
  try {
    res = await fetch(`${base}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new ApiCallError(
      `the relay is not reachable at ${base} (${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message}); give --url`,
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json ?? {}) as ApiError;
    const retry = res.headers.get('retry-after');
    throw new ApiCallError(`${res.status}${e.code ? ` ${e.code}` : ''}: ${e.message ?? text}${retry ? ` (retry after ${retry} s)` : ''}`);
  }
  return json;
}

function bar(p: RedeliveryProgress, width = 30): string {
  const total = Math.max(p.total, p.processed, 1);
  const filled = Math.round((p.processed / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.processed}/${p.total}`;
}

function counts(p: RedeliveryProgress): string {
  return `${p.done} redelivered · ${p.skipped} skipped · ${p.failed} failed`;
}

/** Poll the operation until it ends; a bar on a terminal, a line per change otherwise. Exit code: 0 when nothing failed. */
async function follow(base: string, token: string, id: string, io: Io): Promise<number> {
  let last = '';
  for (;;) {
    const p = (await call(base, token, 'GET', `/redeliveries/${encodeURIComponent(id)}`)) as RedeliveryProgress;
    const line = `${bar(p)}  ${counts(p)}`;
    if (line !== last) io.out.write(io.out.isTTY ? `\r${line}` : `${line}\n`);
    last = line;
    if (p.state !== 'running') {
      if (io.out.isTTY) io.out.write('\n');
      io.out.write(`${id}: ${p.state} — ${p.total} run(s): ${counts(p)}${p.error ? `; ${p.error}` : ''}\n`);
      for (const f of p.failures) io.out.write(`  failed: ${f.workflowId}: ${f.message}\n`);
      return p.state === 'completed' && p.failed === 0 ? 0 : 1;
    }
    await new Promise((r) => setTimeout(r, io.intervalMs));
  }
}

export async function redeliverCommand(
  args: string[],
  env: { PORT: number; RELAY_ADMIN_TOKEN?: string | undefined },
  io: Io & { err: NodeJS.WritableStream } = { out: process.stdout, err: process.stderr, intervalMs: 1000 },
): Promise<number> {
  try {
    return await redeliver(args, env, io);
  } catch (e) {
    if (!(e instanceof ApiCallError)) throw e;
    io.err.write(`relay redeliver: ${e.message}\n`);
    return 1;
  }
}

async function redeliver(args: string[], env: { PORT: number; RELAY_ADMIN_TOKEN?: string | undefined }, io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      source: { type: 'string' },
      event: { type: 'string' },
      'workflow-id': { type: 'string' },
      destination: { type: 'string', multiple: true },
      bulk: { type: 'boolean', default: false },
      since: { type: 'string' },
      until: { type: 'string' },
      status: { type: 'string' },
      progress: { type: 'string' },
      'no-wait': { type: 'boolean', default: false },
      url: { type: 'string' },
    },
    allowPositionals: false,
    strict: true,
  });
  const token = env.RELAY_ADMIN_TOKEN;
  if (!token) throw new RedeliverUsageError('redeliver talks to the management API: set RELAY_ADMIN_TOKEN');
  const base = (values.url ?? `http://127.0.0.1:${env.PORT}`).replace(/\/+$/, '');
  const destinations = values.destination ?? [];

  if (values.progress) return follow(base, token, values.progress, io);

  if (values.bulk) {
    if (values.source || values.event || values['workflow-id'])
      throw new RedeliverUsageError('--bulk takes a filter, not --source/--event/--workflow-id');
    if (!values.since) throw new RedeliverUsageError('--bulk needs --since (e.g. --since 2026-11-29T00:00Z)');
    if (destinations.length > 1) throw new RedeliverUsageError('--bulk takes one --destination (or none: every failed destination)');
    const started = (await call(base, token, 'POST', '/redeliveries', {
      since: values.since,
      ...(values.until ? { until: values.until } : {}),
      ...(destinations[0] ? { destination: destinations[0] } : {}),
      ...(values.status ? { status: values.status } : {}),
    })) as RedeliveryProgress;
    io.out.write(`${started.id}: ${started.total} parked run(s) match (${started.filter.since} – ${started.filter.until})\n`);
    if (values['no-wait']) return 0;
    return follow(base, token, started.id, io);
  }

  if (values.since || values.until || values.status || values['no-wait']) {
    throw new RedeliverUsageError('--since, --until, --status and --no-wait go with --bulk');
  }
  const body = destinations.length > 0 ? { destinations } : {};
  let path: string;
  if (values['workflow-id']) {
    if (values.source || values.event) throw new RedeliverUsageError('give --workflow-id, or --source and --event, not both');
    path = `/runs/${encodeURIComponent(values['workflow-id'])}/redeliver`;
  } else {
    if (!values.source || !values.event)
      throw new RedeliverUsageError('redeliver needs --source and --event (or --workflow-id, or --bulk)');
    path = `/events/${encodeURIComponent(values.source)}/${encodeURIComponent(values.event)}/redeliver`;
  }
  const answer = (await call(base, token, 'POST', path, body)) as { workflowId: string; redelivering: string[] };
  io.out.write(`${answer.workflowId}: redelivering to ${answer.redelivering.join(', ')} (same webhook-id as before)\n`);
  return 0;
}
