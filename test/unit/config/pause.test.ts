/** `paused:` in the configuration file: validated, not part of the version, honoured by the file store. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileConfigStore } from '../../helpers/file-store';
import { ConfigError, parseConfig } from '../../../src/config/load';

const doc = (extra: Record<string, unknown>) => ({
  destinations: [{ name: 'crm', kind: 'webhook', events: ['pointsIssued'], url: 'https://crm.example.com/h', ...extra }],
});

describe('paused: in the configuration file', () => {
  it('the file store holds deliveries for a destination the file pauses', async () => {
    const store = new FileConfigStore(parseConfig(doc({ paused: true, pausedReason: 'not live yet' }), {}));
    assert.equal(await store.destinationState('crm'), 'paused');
    assert.equal((await store.planDestination('crm'))?.paused, true);
    const [plan] = await store.resolveSubscriptions({ source: 'capillary', name: 'pointsIssued' });
    assert.equal(plan?.paused, true);
    const active = new FileConfigStore(parseConfig(doc({}), {}));
    assert.equal(await active.destinationState('crm'), 'active');
    assert.equal((await active.planDestination('crm'))?.paused, false);
  });

  it('pausing in the file does not make a new version (state, not definition)', () => {
    const version = (extra: Record<string, unknown>) => parseConfig(doc(extra), {}).destinations[0]?.version;
    assert.equal(version({ paused: true, pausedReason: 'x' }), version({}));
    assert.notEqual(version({ timeoutSeconds: 3 }), version({}));
  });

  it('refuses a pausedReason without paused: true, and a paused that is not a boolean', () => {
    assert.throws(
      () => parseConfig(doc({ pausedReason: 'why' }), {}),
      (e: unknown) => e instanceof ConfigError && /pausedReason goes with paused: true/.test(e.message),
    );
    assert.throws(() => parseConfig(doc({ paused: 'yes' }), {}), ConfigError);
  });
});
