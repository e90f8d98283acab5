/**
 * The console's credential-set and source forms (console/src/credentials, console/src/sources)
 * and the wizard's event groups: the server's schemas checked as typed, the requests sent, and
 * the groups covering Capillary's catalog exactly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentialSchema, sourceSchema } from '../../../src/config/schema';
import { CAPILLARY_EVENTS } from '../../../src/sources/capillary';
import { checkCredential, credentialBody, credentialFieldFor, emptyCredential } from '../../../console/src/credentials/rules';
import { checkSource, emptySource, sourceBody, sourceFieldFor } from '../../../console/src/sources/rules';
import { CUSTOM_GROUP, EVENT_GROUPS, eventsOfGroup, groupOf, parseEventList } from '../../../console/src/webhooks/event-groups';

describe('console credential sets', () => {
  const oauth = {
    ...emptyCredential('oauth2'),
    name: 'crm-oauth',
    tokenUrl: 'https://auth.example.com/token',
    clientId: 'relay',
    clientSecret: 's3cret',
  };

  it('sends only the fields of the chosen type, and the server schema takes it', () => {
    const body = credentialBody({ ...oauth, username: 'left-over' });
    assert.deepEqual(body, {
      name: 'crm-oauth',
      type: 'oauth2',
      tokenUrl: 'https://auth.example.com/token',
      clientId: 'relay',
      clientSecret: 's3cret',
      clientAuth: 'basic',
    });
    assert.equal(credentialSchema.safeParse(body).success, true);
    assert.deepEqual(checkCredential(oauth, []), {});
  });

  it('refuses what the server refuses, on the field', () => {
    assert.deepEqual(Object.keys(checkCredential({ ...oauth, clientSecret: '' }, [])), ['clientSecret']);
    assert.deepEqual(checkCredential({ ...oauth, clientSecret: '' }, []).clientSecret, ['required']);
    assert.match(checkCredential({ ...oauth, tokenUrl: 'http://auth.example.com/t' }, []).tokenUrl?.join() ?? '', /must use https/);
    assert.match(checkCredential({ ...oauth, name: 'has space' }, []).name?.join() ?? '', /letters, digits/);
    assert.match(checkCredential(oauth, ['crm-oauth']).name?.join() ?? '', /exists/);
    const key = { ...emptyCredential('apiKey'), name: 'k', header: 'Content-Length', value: 'v' };
    assert.match(checkCredential(key, []).header?.join() ?? '', /set by the HTTP client/);
    assert.match(checkCredential({ ...key, header: 'X Key' }, []).header?.join() ?? '', /not a valid header name/);
    assert.match(checkCredential({ ...emptyCredential('bearer'), name: 'b', token: '${T}' }, []).token?.join() ?? '', /relay apply/);
  });

  it("places the API's issues, inline ones (auth.*) too", () => {
    assert.equal(credentialFieldFor('tokenUrl'), 'tokenUrl');
    assert.equal(credentialFieldFor('auth.clientSecret'), 'clientSecret');
    assert.equal(credentialFieldFor('referencedBy'), undefined);
  });
});

describe('console sources', () => {
  it('a server source with a header key; the default header left to the server', () => {
    const d = { ...emptySource(), id: 'backend', auth: { key: 'backend-key-0001' } };
    assert.deepEqual(sourceBody(d), { id: 'backend', kind: 'server', auth: { type: 'header', key: 'backend-key-0001' } });
    assert.deepEqual(checkSource(d, []), {});
    assert.equal(sourceSchema.safeParse(sourceBody(d)).success, true);
  });

  it('refuses what the server refuses, on the field', () => {
    const d = { ...emptySource(), id: 'backend', auth: { key: '' } };
    assert.deepEqual(checkSource(d, []), { 'auth.key': ['key must not be empty'] });
    assert.match(checkSource({ ...d, id: '-bad', auth: { key: 'k' } }, []).id?.join() ?? '', /letters, digits/);
    assert.match(checkSource({ ...d, auth: { key: 'k' } }, ['backend']).id?.join() ?? '', /exists/);
    const kognitiv = { ...emptySource(), id: 'kog', kind: 'kognitiv' as const, auth: { key: 'k' }, mapping: { memberId: '$.member.id' } };
    assert.match(checkSource(kognitiv, [])['mapping.name']?.join() ?? '', /mapping.name|eventName/);
    assert.deepEqual(checkSource({ ...kognitiv, eventName: 'RewardIssued' }, []), {});
    assert.match(
      checkSource({ ...kognitiv, eventName: 'X', mapping: { memberId: 'a..b' } }, [])['mapping.memberId']?.join() ?? '',
      /JSON path/,
    );
    const oauth = {
      ...emptySource(),
      id: 's',
      authType: 'oauth' as const,
      auth: { clientId: 'c', clientSecret: 'x', tokenTtlSeconds: '30' },
    };
    assert.deepEqual(Object.keys(checkSource(oauth, [])), ['auth.tokenTtlSeconds']);
  });

  it("places the API's issues", () => {
    assert.equal(sourceFieldFor('auth.key'), 'auth.key');
    assert.equal(sourceFieldFor('auth'), 'authType');
    assert.equal(sourceFieldFor('mapping.memberId'), 'mapping.memberId');
    assert.equal(sourceFieldFor('version'), undefined);
  });
});

describe('the wizard event groups', () => {
  it("cover Capillary's catalog exactly, each event in one group", () => {
    const grouped = EVENT_GROUPS.flatMap((g) => g.events);
    assert.equal(new Set(grouped).size, grouped.length, 'an event is in two groups');
    assert.deepEqual([...grouped].sort(), [...CAPILLARY_EVENTS].sort());
  });

  it('tell a group from its events, and take custom lists', () => {
    assert.equal(groupOf([...eventsOfGroup('tiers')].reverse()), 'tiers');
    assert.equal(groupOf(['tierUpgraded']), CUSTOM_GROUP);
    assert.deepEqual(parseEventList(' a, b\nc  a '), ['a', 'b', 'c']);
  });
});
