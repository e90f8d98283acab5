/** How a destination's answer is classified (the connector contract). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyStatus } from '../../../src/destinations/connector';

describe('classifyStatus', () => {
  const cases: [number, string][] = [
    [200, 'delivered'],
    [202, 'delivered'],
    [204, 'delivered'],
    [301, 'permanent'],
    [304, 'permanent'],
    [400, 'permanent'],
    [401, 'permanent'],
    [404, 'permanent'],
    [413, 'permanent'],
    [408, 'retry'],
    [425, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [410, 'gone'],
  ];
  for (const [status, verdict] of cases) {
    it(`${status} → ${verdict}`, () => assert.equal(classifyStatus(status), verdict));
  }
});
