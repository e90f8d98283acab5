/**
 * Sign-in with the admin token: POST /console/session sets an HttpOnly session cookie and
 * answers a CSRF token, which stays in memory (a reload asks GET /console/session for it
 * again). The token typed in is sent once and never kept.
 */
import { request, setCsrfToken } from './api';

export interface Session {
  expiresAt: string;
  csrfToken: string;
}

function adopt(session: Session): Session {
  setCsrfToken(session.csrfToken);
  return session;
}

/** The current session from the cookie, or undefined when there is none (or it expired). */
export async function currentSession(): Promise<Session | undefined> {
  try {
    return adopt((await request<Session>('/console/session')).body);
  } catch (err) {
    if ((err as { status?: number }).status === 401) return undefined;
    throw err;
  }
}

export async function signIn(token: string): Promise<Session> {
  return adopt((await request<Session>('/console/session', { method: 'POST', body: { token } })).body);
}

export async function signOut(): Promise<void> {
  try {
    await request('/console/session', { method: 'DELETE' });
  } finally {
    setCsrfToken(undefined);
  }
}
