/**
 * The console's one way to call the relay's API: same-origin fetch with the session cookie,
 * the CSRF token on every unsafe method, and the API's error body
 * `{ code, message, issues?, requestId }` turned into an ApiError whose issues can be looked
 * up by the field path they name (`headers.0.key`), so a form shows each on its field.
 */

/** One problem the server found, on the field its `path` names ('' = the whole body). */
export interface FieldIssue {
  path: string;
  message: string;
  rule?: string;
}

/** A non-2xx answer of the API (or no answer: status 0, code `network_error`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    readonly requestId?: string,
    /** Seconds, from Retry-After (503, 429). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  /** Messages of the issues on exactly `path`. */
  issuesAt(path: string): string[] {
    return this.issues.filter((i) => i.path === path).map((i) => i.message);
  }
}

/** Held in memory only (never in storage or a URL); set by the session module. */
let csrfToken: string | undefined;
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the API answers 401 to a signed-in request (expired or revoked session). */
let onUnauthorized: (() => void) | undefined;
export function setUnauthorizedHandler(handler: (() => void) | undefined): void {
  onUnauthorized = handler;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Extra headers (If-Match, a merge-patch Content-Type). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

function isErrorBody(v: unknown): v is { code: string; message: string; issues?: FieldIssue[]; requestId?: string } {
  return typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'string';
}

/** Call the API; resolves with the parsed body on 2xx, rejects with an ApiError otherwise. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<Answer<T>> {
  const method = (options.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  if (!SAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', 'the relay could not be reached');
  }
  const text = await res.text();
  let body: unknown = undefined;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (res.ok) return { status: res.status, body: body as T, headers: res.headers };
  const retry = Number(res.headers.get('retry-after'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  const error = isErrorBody(body)
    ? new ApiError(res.status, body.code, body.message, body.issues ?? [], body.requestId, retryAfter)
    : new ApiError(res.status, `http_${res.status}`, `the relay answered ${res.status}`, [], undefined, retryAfter);
  if (res.status === 401 && onUnauthorized && !path.startsWith('/console/session')) onUnauthorized();
  throw error;
}

/** GET and return the body. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await request<T>(path, signal ? { signal } : {})).body;
}

/** Send `body` with `method` and return the answer's body. */
export async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  return (await request<T>(path, { method, body })).body;
}

/** A path segment, encoded (destination names, ids). */
export const seg = (s: string): string => encodeURIComponent(s);
