/**
 * storeUnavailable: which store errors mean "cannot reach or use the configuration database
 * now" (503 store_unavailable + Retry-After) and which are not (left to the 500 path).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storeUnavailable } from '../../../../src/http/inbound/errors';

const pgError = (code: string, message = 'error') => Object.assign(new Error(message), { code });

describe('storeUnavailable', () => {
  const unavailable: [string, unknown][] = [
    ['55000 database not accepting connections', pgError('55000', 'database "x" is not currently accepting connections')],
    ['53300 too many connections', pgError('53300', 'sorry, too many clients already')],
    ['53100 disk full', pgError('53100')],
    ['57P01 admin shutdown', pgError('57P01', 'terminating connection due to administrator command')],
    ['57P02 crash shutdown', pgError('57P02')],
    ['57P03 cannot connect now', pgError('57P03', 'the database system is starting up')],
    ['08006 connection failure', pgError('08006')],
    ['08001 cannot establish connection', pgError('08001')],
    ['ECONNREFUSED', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['ECONNRESET', pgError('ECONNRESET', 'read ECONNRESET')],
    ['ETIMEDOUT', pgError('ETIMEDOUT')],
    ['EHOSTUNREACH', pgError('EHOSTUNREACH')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['connection terminated', new Error('Connection terminated unexpectedly')],
    [
      'AggregateError of refused connections (localhost: ::1 and 127.0.0.1)',
      new AggregateError([pgError('ECONNREFUSED'), pgError('ECONNREFUSED')], 'connect failed'),
    ],
  ];
  for (const [name, err] of unavailable) {
    it(`${name}: 503 store_unavailable with Retry-After`, () => {
      const known = storeUnavailable(err);
      assert.equal(known?.status, 503);
      assert.equal(known?.code, 'store_unavailable');
      assert.equal(known?.headers?.['Retry-After'], '5');
    });
  }

  const other: [string, unknown][] = [
    // A configuration mistake, not an outage: retrying will not help until an operator fixes it.
    ['3D000 database does not exist', pgError('3D000', 'database "nope" does not exist')],
    ['28P01 password authentication failed', pgError('28P01')],
    ['22021 a NUL byte in text', pgError('22021')],
    ['42P01 undefined table', pgError('42P01')],
    ['a plain error', new Error('boom')],
    ['not an error', 'boom'],
    ['null', null],
  ];
  for (const [name, err] of other) {
    it(`${name}: not a store outage`, () => {
      assert.equal(storeUnavailable(err), undefined);
    });
  }
});
