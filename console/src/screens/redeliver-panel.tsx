/**
 * Redeliver a destination's failed runs accepted since a time (POST /v1/redeliveries), then
 * follow the operation (GET /v1/redeliveries/{id}) with a progress bar until it ends.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, send, seg } from '../api';
import { FormError, TextField, fieldOrFormError } from '../components/field';

interface Progress {
  id: string;
  state: 'running' | 'completed' | 'failed';
  total: number;
  processed: number;
  done: number;
  skipped: number;
  failed: number;
  error?: string;
}

const POLL_MS = 500;

/** `Date` as the value of a datetime-local input (local time, minutes). */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function RedeliverPanel({ destination, onDone }: { destination: string; onDone: () => void }) {
  const [since, setSince] = useState(() => localInput(new Date(Date.now() - 24 * 3600_000)));
  const [error, setError] = useState<unknown>(undefined);
  const [progress, setProgress] = useState<Progress | undefined>(undefined);

  useEffect(() => {
    if (!progress || progress.state !== 'running') return;
    const timer = setTimeout(() => {
      getJson<Progress>(`/v1/redeliveries/${seg(progress.id)}`).then(
        (p) => {
          setProgress(p);
          if (p.state !== 'running') onDone();
        },
        (err: unknown) => setError(err),
      );
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [progress, onDone]);

  const start = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const at = new Date(since);
    if (Number.isNaN(at.getTime())) {
      setError(new ApiError(422, 'validation_failed', 'pick a date and time', [{ path: 'since', message: 'pick a date and time' }]));
      return;
    }
    try {
      setProgress(await send<Progress>('POST', '/v1/redeliveries', { destination, since: at.toISOString() }));
    } catch (err) {
      setError(err);
    }
  };

  const shown = fieldOrFormError(error, 'since');
  const pct = progress
    ? progress.total === 0
      ? progress.state === 'running'
        ? 0
        : 100
      : Math.round((progress.processed / progress.total) * 100)
    : 0;
  return (
    <div class="panel" data-redeliver={destination}>
      <form onSubmit={(e) => void start(e)} aria-label={`Redeliver ${destination}`} class="inline-form">
        <TextField
          id={`since-${destination}`}
          label="Failed runs accepted since"
          type="datetime-local"
          value={since}
          onInput={setSince}
          error={shown.field}
          hint={`Parked runs whose delivery to ${destination} failed are sent again (same webhook-id; a destination that got its 2xx never is).`}
        />
        <button type="submit" disabled={progress?.state === 'running'}>
          Redeliver
        </button>
      </form>
      <FormError error={shown.form} />
      {progress ? (
        <div class="progress" data-state={progress.state} data-percent={pct}>
          <progress max={100} value={pct} aria-label="Redelivery progress" />
          <span>
            {' '}
            {pct} % — {progress.processed} of {progress.total} run{progress.total === 1 ? '' : 's'} ({progress.done} redelivered,{' '}
            {progress.skipped} skipped, {progress.failed} failed){progress.state === 'completed' ? ' — done' : ''}
            {progress.error ? ` — ${progress.error}` : ''}
          </span>
        </div>
      ) : null}
    </div>
  );
}
