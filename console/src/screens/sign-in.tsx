/** Sign-in with the admin token (RELAY_ADMIN_TOKEN): exchanged once for a session cookie, never kept. */
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { FormError, TextField, fieldOrFormError } from '../components/field';
import { useSubmit } from '../components/use-submit';
import { signIn, type Session } from '../session';

export function SignInScreen({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [token, setToken] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    const session = await signIn(token);
    setToken('');
    onSignedIn(session);
  });
  const shown =
    error instanceof ApiError && error.status === 401
      ? { field: ['that is not the admin token'], form: undefined }
      : fieldOrFormError(error, 'token');
  return (
    <main class="sign-in">
      <h1>Loyalty Relay</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <TextField
          id="token"
          label="Admin token"
          type="password"
          value={token}
          onInput={setToken}
          error={shown.field}
          hint="The relay's RELAY_ADMIN_TOKEN. It is exchanged for a session cookie and not stored by the browser."
          autoComplete="current-password"
          required
        />
        <FormError error={shown.form} />
        <button type="submit" disabled={busy || token === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
