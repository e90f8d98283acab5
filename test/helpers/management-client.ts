/** Calls to the management API over HTTP, as an operator's client makes them. */

export interface ManagementAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body (`{}` when empty), with the error fields the tests read. */
  body: Record<string, unknown> & { code?: string; message?: string; issues?: { path: string; message: string }[] };
  /** The raw body, for failure messages. */
  text: string;
}

/**
 * `method path` under `${baseUrl}/v1`, with the admin bearer token. A string body is sent as is
 * (for malformed-JSON cases); anything else as JSON. `headers` go on top.
 */
export async function callManagement(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ManagementAnswer> {
  const res = await fetch(`${baseUrl}/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as ManagementAnswer['body']) : {}, text };
}
