/** A form's submit that calls the API once: busy while it runs, and its error kept to show (cleared on the next try). */
import { useState } from 'preact/hooks';

export interface Submit {
  busy: boolean;
  error: unknown;
  /** The form's onSubmit: stops the browser's own submit, then runs the action. */
  submit: (e: Event) => void;
}

export function useSubmit(action: () => Promise<void>): Submit {
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return {
    busy,
    error,
    submit: (e) => {
      e.preventDefault();
      void run();
    },
  };
}
