/** The shell: the session (or the sign-in screen), the navigation bar and the current screen. */
import { useEffect, useState } from 'preact/hooks';
import { setUnauthorizedHandler } from './api';
import { FormError } from './components/field';
import { Link, matchRoute, navigate, useLocation } from './router';
import { HOME, routes } from './routes';
import { SignInScreen } from './screens/sign-in';
import { currentSession, signOut, type Session } from './session';

type State = { kind: 'loading' } | { kind: 'signed-out' } | { kind: 'failed'; error: unknown } | { kind: 'signed-in'; session: Session };

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const { path } = useLocation();

  useEffect(() => {
    setUnauthorizedHandler(() => setState({ kind: 'signed-out' }));
    currentSession().then(
      (session) => setState(session ? { kind: 'signed-in', session } : { kind: 'signed-out' }),
      (error: unknown) => setState({ kind: 'failed', error }),
    );
    return () => setUnauthorizedHandler(undefined);
  }, []);

  useEffect(() => {
    if (state.kind === 'signed-in' && path === '/') navigate(HOME, true);
  }, [state.kind, path]);

  if (state.kind === 'loading') return <p class="muted page">Loading…</p>;
  if (state.kind === 'failed')
    return (
      <main class="page">
        <FormError error={state.error} />
      </main>
    );
  if (state.kind === 'signed-out') return <SignInScreen onSignedIn={(session) => setState({ kind: 'signed-in', session })} />;

  const match = matchRoute(routes, path);
  document.title = match ? `${match.route.title} · Loyalty Relay` : 'Loyalty Relay';
  const onSignOut = async () => {
    await signOut().catch(() => undefined);
    setState({ kind: 'signed-out' });
  };
  const Screen = match?.route.component;
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">Loyalty Relay</span>
        <nav aria-label="Main">
          {routes
            .filter((r) => r.nav)
            .map((r) => (
              <Link key={r.path} to={r.path} class={path === r.path || path.startsWith(`${r.path}/`) ? 'active' : undefined}>
                {r.title}
              </Link>
            ))}
        </nav>
        <button type="button" class="link" onClick={() => void onSignOut()}>
          Sign out
        </button>
      </header>
      <main class="page">
        {match && Screen ? (
          <Screen params={match.params} />
        ) : path === '/' ? null : (
          <p>
            No screen at <code>{path}</code>. <Link to={HOME}>Destinations</Link>
          </p>
        )}
      </main>
    </div>
  );
}
