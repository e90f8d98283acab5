/**
 * A local stand-in for the loyalty platform's lookups, modelled on Capillary:
 * `GET /v2/customers/lookup/points/balance?source=INSTORE&identifierName=mobile&identifierValue=…`
 * and `GET /v2/customers/lookup/customerDetails?source=<SOURCE>&identifierName=…&identifierValue=…`
 * (a customer by `id`, or by one of their identifiers, answered with names, identifiers per
 * source and `extendedFields` as Capillary's v2 lookup answers them).
 */
import { listenLocal } from './ports';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface FakeBalance {
  totalPoints: number;
  /** Defaults to totalPoints. */
  mainPoints?: number;
  /** Defaults to 0. */
  promisedPoints?: number;
  /** Defaults to a stable id per identifier (700001, 700002, … in key order). */
  entityId?: number;
}

/** A customer as the customerDetails lookup answers it, per source. */
export interface FakeCustomer {
  /** The customer id (`identifierName=id` looks it up). */
  id: number;
  /** Identifiers per source, e.g. `{ INSTORE: { mobile: '91…', email: '…' } }`. */
  sources: Record<string, { mobile?: string; email?: string; externalId?: string }>;
  cardNumbers?: string[];
  firstName?: string;
  lastName?: string;
  /**
   * Where the names are answered: in the source's profile (`profiles[].firstName`, the v2
   * lookup; the default), at the top level (`firstName`), or at the top level in the older
   * lowercase spelling (`firstname`).
   */
  namesAt?: 'profile' | 'top' | 'top-lowercase';
  /** Capillary `extendedFields`, answered as given: an object or `[{ name, value }]`. */
  extendedFields?: Record<string, unknown> | { name: string; value: unknown }[];
}

export interface LoyaltyApiRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lowercased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
}

export interface ForcedStatus {
  status: number;
  /** How many of the next requests get this status. */
  count: number;
  headers?: Record<string, string>;
}

export interface LoyaltyApiFake {
  /** Base URL, `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  requests: LoyaltyApiRequest[];
  /** Answer the next `count` requests with `status` instead of looking the customer up. */
  forceStatus(status: number, count?: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

export const BALANCE_PATH = '/v2/customers/lookup/points/balance';
export const CUSTOMER_PATH = '/v2/customers/lookup/customerDetails';

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

type FakeIdentifiers = FakeCustomer['sources'][string];

/**
 * The customer an `identifierName` / `identifierValue` pair names: by `id`, by an identifier of
 * that name in any source, or (for callers that key customers by the value they look up) by key.
 */
function findCustomer(customers: Record<string, FakeCustomer>, name: string | undefined, value: string): FakeCustomer | undefined {
  const all = Object.values(customers);
  if (name === 'id') return all.find((c) => String(c.id) === value);
  if (name === 'mobile' || name === 'email' || name === 'externalId') {
    const found = all.find((c) => Object.values(c.sources).some((ids) => ids[name] === value));
    if (found) return found;
  }
  return Object.prototype.hasOwnProperty.call(customers, value) ? customers[value] : undefined;
}

/** The lookup's answer, shaped as Capillary's v2 customer lookup answers it. */
function customerDetailsOf(customer: FakeCustomer, source: string, ids: FakeIdentifiers): Record<string, unknown> {
  const identifiers = Object.entries(ids).map(([type, value]) => ({ type, value }));
  const where = customer.namesAt ?? 'profile';
  const names = (first: string, last: string) => ({
    ...(customer.firstName !== undefined ? { [first]: customer.firstName } : {}),
    ...(customer.lastName !== undefined ? { [last]: customer.lastName } : {}),
  });
  return {
    id: customer.id,
    ...(where === 'top' ? names('firstName', 'lastName') : where === 'top-lowercase' ? names('firstname', 'lastname') : {}),
    profiles: [{ ...(where === 'profile' ? names('firstName', 'lastName') : {}), source, identifiers }],
    ...(customer.extendedFields !== undefined ? { extendedFields: customer.extendedFields } : {}),
    cardDetails: (customer.cardNumbers ?? []).map((cardNumber) => ({ cardNumber, status: 'ACTIVE' })),
  };
}

export async function startLoyaltyApi(
  balances: Record<string, FakeBalance>,
  options: { forceStatus?: ForcedStatus; customers?: Record<string, FakeCustomer> } = {},
): Promise<LoyaltyApiFake> {
  const requests: LoyaltyApiRequest[] = [];
  const entityIds = new Map(Object.keys(balances).map((k, i) => [k, 700001 + i]));
  let forced: ForcedStatus | undefined = options.forceStatus ? { ...options.forceStatus } : undefined;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method ?? '', path: url.pathname, query, headers });
    req.resume();

    if (forced && forced.count > 0) {
      const { status, headers: extra } = forced;
      forced.count -= 1;
      if (forced.count === 0) forced = undefined;
      send(res, status, { errors: [{ status: false, code: status, message: 'forced by the test' }] }, extra);
      return;
    }
    if (url.pathname === CUSTOMER_PATH && req.method === 'GET') {
      const { source, identifierName, identifierValue } = query;
      const customer = identifierValue ? findCustomer(options.customers ?? {}, identifierName, identifierValue) : undefined;
      const ids = customer && source ? customer.sources[source] : undefined;
      if (!customer || !ids) {
        send(res, 404, { errors: [{ status: false, code: 8015, message: 'Customer not found for given identifiers' }] });
        return;
      }
      send(res, 200, customerDetailsOf(customer, source!, ids));
      return;
    }
    if (url.pathname !== BALANCE_PATH) {
      send(res, 404, { errors: [{ status: false, code: 404, message: `no route ${url.pathname}` }] });
      return;
    }
    if (req.method !== 'GET') {
      send(res, 405, { errors: [{ status: false, code: 405, message: 'method not allowed' }] }, { allow: 'GET' });
      return;
    }
    const { source, identifierName, identifierValue } = query;
    if (source !== 'INSTORE' || !identifierName || !identifierValue) {
      send(res, 400, {
        errors: [{ status: false, code: 400, message: 'source=INSTORE, identifierName and identifierValue are required' }],
      });
      return;
    }
    const balance = Object.prototype.hasOwnProperty.call(balances, identifierValue) ? balances[identifierValue] : undefined;
    if (!balance) {
      send(res, 404, { errors: [{ status: false, code: 8015, message: 'Customer not found for given identifiers' }] });
      return;
    }
    send(res, 200, {
      entityId: balance.entityId ?? entityIds.get(identifierValue),
      entityType: 'CUSTOMER',
      totalPoints: balance.totalPoints,
      mainPoints: balance.mainPoints ?? balance.totalPoints,
      promisedPoints: balance.promisedPoints ?? 0,
    });
  }

  const server = createServer(handle);
  const port = await listenLocal(server);

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    forceStatus(status, count = 1, headers) {
      forced = count > 0 ? { status, count, ...(headers ? { headers } : {}) } : undefined;
    },
    async close() {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closing;
    },
  };
}
