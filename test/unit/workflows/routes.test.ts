/** The route table: which workflow type an event starts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GENERIC_WORKFLOW, routes, workflowTypeFor, type Route } from '../../../workflows/routes';

describe('workflowTypeFor (route table)', () => {
  it('routes Capillary customerAdded and customerUpdated to customerProfileEvent', () => {
    assert.equal(workflowTypeFor({ source: 'capillary', name: 'customerAdded' }), 'customerProfileEvent');
    assert.equal(workflowTypeFor({ source: 'capillary', name: 'customerUpdated' }), 'customerProfileEvent');
    // Routes without a source apply to every source id.
    assert.equal(workflowTypeFor({ source: 'capillary-eu', name: 'customerAdded' }), 'customerProfileEvent');
  });

  it('runs every other event as relayEvent (names are case-sensitive)', () => {
    assert.equal(GENERIC_WORKFLOW, 'relayEvent');
    assert.equal(workflowTypeFor({ source: 'capillary', name: 'pointsIssued' }), 'relayEvent');
    assert.equal(workflowTypeFor({ source: 'capillary', name: 'customeradded' }), 'relayEvent');
  });

  it('a route with a source applies to that source only; the first matching route wins', () => {
    const table: Route[] = [
      { event: 'tierUpgraded', source: 'capillary', workflow: 'tierEvent' },
      { event: 'tierUpgraded', workflow: 'anyTierEvent' },
      { event: 'tierUpgraded', workflow: 'neverReached' },
    ];
    assert.equal(workflowTypeFor({ source: 'capillary', name: 'tierUpgraded' }, table), 'tierEvent');
    assert.equal(workflowTypeFor({ source: 'backend', name: 'tierUpgraded' }, table), 'anyTierEvent');
    assert.equal(workflowTypeFor({ source: 'capillary', name: 'pointsIssued' }, table), 'relayEvent');
    assert.equal(workflowTypeFor({ source: 'capillary', name: 'tierUpgraded' }, []), 'relayEvent');
  });

  it('every routed workflow is one the worker registers', async () => {
    const registered = (await import('../../../workflows')) as Record<string, unknown>;
    for (const r of routes) assert.equal(typeof registered[r.workflow], 'function', `${r.workflow} is not exported by workflows/index.ts`);
  });
});
