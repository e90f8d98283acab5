/** Which secret values an attempt sends with: the pinned version's slots, filled from the current version. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attemptSecrets } from '../../../activities/secrets';
import type { DestinationConfig } from '../../../src/model/destination';
import { MemoryStore, webhookDestination } from '../../helpers/activity-fakes';

/** A store keeping every version's secrets, with one current version (or none: deleted). */
class VersionedStore extends MemoryStore {
  readonly versions = new Map<string, { config: DestinationConfig; secrets: Record<string, string> }>();
  current?: string;
  override getDestination(_name: string, version?: string): Promise<DestinationConfig | undefined> {
    const v = version ?? this.current;
    return Promise.resolve(v === undefined ? undefined : this.versions.get(v)?.config);
  }
  override getDestinationSecrets(name: string, version?: string): Promise<Record<string, string>> {
    this.secretLookups.push([name, version]);
    return Promise.resolve(this.versions.get(version ?? this.current ?? '')?.secrets ?? {});
  }
}

function store(): VersionedStore {
  const s = new VersionedStore();
  s.versions.set('1', {
    config: webhookDestination({}, { version: '1' }),
    secrets: { 'header:X-Api-Key': 'old-key', 'header:X-Other': 'old-other', signingSecret: 'whsec_old' },
  });
  s.versions.set('2', {
    config: webhookDestination({}, { version: '2' }),
    secrets: { 'header:X-Api-Key': 'new-key', signingSecret: 'whsec_new', 'header:X-Added': 'added' },
  });
  return s;
}

describe('attemptSecrets', () => {
  it('takes each slot of the pinned version from the current version; slots the current one lacks keep the pinned value', async () => {
    const s = store();
    s.current = '2';
    const pinned = (await s.getDestination('crm-hook', '1'))!;
    assert.deepEqual(await attemptSecrets(s, pinned), {
      'header:X-Api-Key': 'new-key',
      signingSecret: 'whsec_new',
      'header:X-Other': 'old-other',
    });
  });

  it('reads one version when the pinned one is current', async () => {
    const s = store();
    s.current = '1';
    const pinned = (await s.getDestination('crm-hook', '1'))!;
    assert.deepEqual(await attemptSecrets(s, pinned), s.versions.get('1')?.secrets);
    assert.deepEqual(s.secretLookups, [['crm-hook', '1']]);
  });

  it('a deleted destination: its pinned secrets', async () => {
    const s = store();
    const pinned = (await s.getDestination('crm-hook', '1'))!;
    assert.deepEqual(await attemptSecrets(s, pinned), s.versions.get('1')?.secrets);
  });
});
