/** Pause a destination with a reason (POST /v1/destinations/{name}/pause); the server's issue on `reason` shows on the field. */
import { useState } from 'preact/hooks';
import { send, seg } from '../api';
import { FormError, TextField, fieldOrFormError } from '../components/field';
import { useSubmit } from '../components/use-submit';

export function PausePanel({ destination, onDone }: { destination: string; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    await send('POST', `/v1/destinations/${seg(destination)}/pause`, reason.trim() === '' ? {} : { reason });
    onDone();
  });
  const shown = fieldOrFormError(error, 'reason');
  return (
    <div class="panel" data-pause={destination}>
      <form onSubmit={submit} aria-label={`Pause ${destination}`} class="inline-form">
        <TextField
          id={`reason-${destination}`}
          label="Reason (optional)"
          value={reason}
          onInput={setReason}
          error={shown.field}
          placeholder="e.g. CRM maintenance until 02:00"
          hint="Deliveries wait in their runs (held) until it is resumed; nothing is dropped."
        />
        <button type="submit" disabled={busy}>
          Pause
        </button>
      </form>
      <FormError error={shown.form} />
    </div>
  );
}
