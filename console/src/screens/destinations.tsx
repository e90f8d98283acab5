/**
 * Destinations and their health (GET /v1/destination-health), refreshed every few seconds, with
 * the actions on each: pause, resume, redeliver its failed runs since a time (with progress),
 * and the Temporal UI filtered to its failed runs.
 */
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson, send, seg } from '../api';
import { FormError } from '../components/field';
import { useLoad } from '../components/use-load';
import { Link } from '../router';
import { PausePanel } from './pause-panel';
import { RedeliverPanel } from './redeliver-panel';

export interface DestinationHealth {
  name: string;
  state: 'active' | 'paused' | 'auto_paused' | 'disabled';
  paused: { reason: string | null; at: string | null; by: 'operator' | 'breaker' | null } | null;
  probing: boolean;
  nextProbeAt: string | null;
  delivered: number;
  failed: number;
  retriedAttempts: number;
  successRate: number | null;
  p95LatencyMs: number | null;
  slaBreaches: number;
  failingSince: string | null;
  failedAttemptsSinceSuccess: number;
  lastFailure: { at: string; message: string } | null;
  heldRuns: number | null;
  parkedRuns: number | null;
  links?: { failedRuns: string; heldRuns: string };
}

interface HealthReport {
  window: { minutes: number; since: string; until: string };
  temporal: 'ok' | 'unavailable';
  items: DestinationHealth[];
}

const WINDOWS = [
  { minutes: 60, label: 'last hour' },
  { minutes: 1440, label: 'last 24 hours' },
];
const REFRESH_MS = 5000;
const STATE_LABEL: Record<DestinationHealth['state'], string> = {
  active: 'active',
  paused: 'paused',
  auto_paused: 'auto-paused',
  disabled: 'disabled',
};

export const percent = (r: number | null) => (r === null ? '—' : `${(Math.floor(r * 1000) / 10).toFixed(1)} %`);

export function latency(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 0) return '> 1 day';
  if (ms < 1000) return `≤ ${ms} ms`;
  if (ms < 60_000) return `≤ ${ms / 1000} s`;
  if (ms < 3_600_000) return `≤ ${ms / 60_000} min`;
  return `≤ ${ms / 3_600_000} h`;
}

export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export function DestinationsScreen() {
  const [windowMinutes, setWindowMinutes] = useState(60);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState<string | undefined>(undefined);
  /** The row whose panel is open, and which. */
  const [panel, setPanel] = useState<{ name: string; kind: 'pause' | 'redeliver' } | undefined>(undefined);
  /** A row's button that opens its panel of that kind (and closes it when open). */
  const panelButton = (name: string, kind: 'pause' | 'redeliver', label: string) => (
    <button
      type="button"
      data-action={kind}
      aria-expanded={panel?.name === name && panel.kind === kind}
      onClick={() => setPanel(panel?.name === name && panel.kind === kind ? undefined : { name, kind })}
    >
      {label}
    </button>
  );
  const { data, error, reload } = useLoad(
    (signal) => getJson<HealthReport>(`/v1/destination-health?windowMinutes=${windowMinutes}`, signal),
    [windowMinutes],
  );
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  const resume = async (name: string) => {
    setBusy(name);
    setActionError(undefined);
    try {
      await send('POST', `/v1/destinations/${seg(name)}/resume`);
      reload();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section>
      <h1>Destinations</h1>
      <div class="toolbar">
        <label for="window">Figures over</label>
        <select id="window" value={windowMinutes} onChange={(e) => setWindowMinutes(Number(e.currentTarget.value))}>
          {WINDOWS.map((w) => (
            <option key={w.minutes} value={w.minutes}>
              {w.label}
            </option>
          ))}
        </select>
        {data ? (
          <span class="muted">
            settled deliveries since {new Date(data.window.since).toLocaleTimeString()}; held and parked runs now
            {data.temporal === 'unavailable' ? ' — Temporal unreachable: run counts unknown' : ''}
          </span>
        ) : null}
      </div>
      <FormError error={actionError ?? error} />
      <table class="health">
        <thead>
          <tr>
            <th>Destination</th>
            <th>State</th>
            <th class="num">Success rate</th>
            <th class="num">p95 latency</th>
            <th class="num">SLA breaches</th>
            <th>Last failure</th>
            <th class="num">Held</th>
            <th class="num">Parked</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {(data?.items ?? []).map((d) => (
            <Fragment key={d.name}>
              <tr data-destination={d.name} data-state={d.state}>
                <td>
                  <strong>
                    <Link to={`/webhooks/${encodeURIComponent(d.name)}/edit`} title="Edit this webhook">
                      {d.name}
                    </Link>
                  </strong>
                </td>
                <td>
                  <span class={`badge ${d.state.replace('_', '-')}`} data-field="state">
                    {STATE_LABEL[d.state]}
                    {d.probing ? ' (probing)' : ''}
                  </span>
                  {d.paused?.reason ? <div class="muted small">{d.paused.reason}</div> : null}
                  {d.nextProbeAt && !d.probing ? (
                    <div class="muted small">next probe {new Date(d.nextProbeAt).toLocaleTimeString()}</div>
                  ) : null}
                </td>
                <td
                  class="num"
                  data-field="success-rate"
                  title={`${d.delivered} delivered, ${d.failed} failed, ${d.retriedAttempts} retried attempts`}
                >
                  {percent(d.successRate)}
                  <div class="muted small">
                    {d.delivered} / {d.delivered + d.failed}
                  </div>
                </td>
                <td class="num" data-field="p95">
                  {latency(d.p95LatencyMs)}
                </td>
                <td class="num" data-field="sla-breaches">
                  {d.slaBreaches}
                </td>
                <td data-field="last-failure" class="failure">
                  {d.lastFailure ? (
                    <>
                      <span title={d.lastFailure.at}>{ago(d.lastFailure.at)}</span>
                      <div class="muted small">{d.lastFailure.message}</div>
                    </>
                  ) : (
                    <span class="muted">none</span>
                  )}
                </td>
                <td class="num" data-field="held">
                  {d.links && d.heldRuns ? (
                    <a href={d.links.heldRuns} target="_blank" rel="noopener noreferrer" title="The held runs in the Temporal UI">
                      {d.heldRuns}
                    </a>
                  ) : (
                    (d.heldRuns ?? '?')
                  )}
                </td>
                <td class="num" data-field="parked">
                  {d.parkedRuns ?? '?'}
                </td>
                <td>
                  <div class="actions">
                    {d.state === 'paused' || d.state === 'auto_paused' ? (
                      <button type="button" data-action="resume" disabled={busy === d.name} onClick={() => void resume(d.name)}>
                        Resume
                      </button>
                    ) : (
                      panelButton(d.name, 'pause', 'Pause')
                    )}
                    {panelButton(d.name, 'redeliver', 'Redeliver…')}
                    {d.links ? (
                      <a href={d.links.failedRuns} target="_blank" rel="noopener noreferrer" data-action="failed-runs">
                        Failed runs ↗
                      </a>
                    ) : null}
                  </div>
                </td>
              </tr>
              {panel?.name === d.name ? (
                <tr class="panel-row">
                  <td colSpan={9}>
                    {panel.kind === 'redeliver' ? (
                      <RedeliverPanel destination={d.name} onDone={reload} />
                    ) : (
                      <PausePanel
                        destination={d.name}
                        onDone={() => {
                          setPanel(undefined);
                          reload();
                        }}
                      />
                    )}
                  </td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </tbody>
      </table>
      <p class="muted small">
        Success rate: deliveries settled in the window that got their 2xx, out of all settled (delivered or parked as failed); retries are
        not settled. p95 latency: from the event's acceptance to the 2xx, as the bound of its histogram bucket. SLA breaches: deliveries
        settled after their SLA deadline in the window. Last failure: the last failed attempt, any time. Held: runs waiting for a paused
        destination now. Parked: runs whose delivery failed and waits for a redelivery now.
      </p>
    </section>
  );
}
