import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfigFile, parseConfig } from '../../../src/config/load';
import type { FieldIssue } from '../../../src/model/field-issue';
import { assertProblem, configProblems } from '../../helpers/config-problems';

const env = { CAPILLARY_KEY: 'cap-secret', HOOK_TOKEN: 'tok-123' };

function validDoc(): Record<string, unknown> {
  return {
    sources: [
      { id: 'capillary-prod', kind: 'capillary', auth: { header: 'X-Capillary-Key', key: '${CAPILLARY_KEY}' } },
      { id: 'backend', kind: 'server', auth: { key: 'plain-key' } },
    ],
    destinations: [
      {
        name: 'crm-hook',
        kind: 'webhook',
        events: ['pointsIssued', 'CouponRedeem'],
        sources: ['capillary-prod'],
        url: 'https://hooks.example.com/loyalty/{{ event.customer.id }}',
        headers: [
          { key: ' Authorization ', value: ' Bearer ${HOOK_TOKEN} ' },
          { key: 'X-Event', value: '{{ event.name }}' },
        ],
        body: '{"customer": "{{ event.customer.id }}", "points": "{{ event.properties.totalPointsIssued }}"}',
      },
    ],
  };
}

/** A copy of validDoc() with the first destination changed. */
function withDestination(change: Record<string, unknown>): Record<string, unknown> {
  const doc = validDoc();
  const [first] = doc.destinations as Record<string, unknown>[];
  doc.destinations = [{ ...first, ...change }];
  return doc;
}

function problemsOf(doc: unknown, e: Record<string, string | undefined> = env): FieldIssue[] {
  return configProblems(doc, e);
}

describe('parseConfig: a valid file', () => {
  const config = parseConfig(validDoc(), env);

  it('resolves sources, their credential and the default auth header', () => {
    assert.deepEqual(config.sources, [
      { id: 'capillary-prod', kind: 'capillary', auth: { type: 'header', header: 'X-Capillary-Key', key: 'cap-secret' } },
      { id: 'backend', kind: 'server', auth: { type: 'header', header: 'X-API-KEY', key: 'plain-key' } },
    ]);
  });

  it('applies destination defaults and records a version', () => {
    const [d] = config.destinations;
    assert.ok(d);
    assert.equal(d.enabled, true);
    assert.equal(d.settings.allowInsecureHttp, false);
    assert.equal(d.slaSeconds, 60);
    assert.equal(d.maxConnections, 10);
    assert.equal(d.timeoutSeconds, 10);
    assert.equal(d.retryWindowSeconds, 86_400);
    assert.deepEqual(d.enrichment, { pointsBalance: false, cardNumbers: false, store: false, till: false, awardedReferenceId: false });
    assert.match(d.version, /^[0-9a-f]{12}$/);
    assert.deepEqual(d.events, ['pointsIssued', 'CouponRedeem']);
    assert.deepEqual(d.settings.body, { customer: '{{ event.customer.id }}', points: '{{ event.properties.totalPointsIssued }}' });
  });

  it('trims headers and keeps secret ones unresolved', () => {
    const [d] = config.destinations;
    assert.deepEqual(d?.settings.headers, [
      { key: 'Authorization', value: 'Bearer ${HOOK_TOKEN}', secret: true },
      { key: 'X-Event', value: '{{ event.name }}', secret: false },
    ]);
    assert.doesNotMatch(JSON.stringify(config.destinations), /tok-123/);
  });

  it('changes the version when the destination changes', () => {
    const other = parseConfig(withDestination({ slaSeconds: 30 }), env);
    assert.notEqual(other.destinations[0]?.version, config.destinations[0]?.version);
    assert.equal(parseConfig(validDoc(), env).destinations[0]?.version, config.destinations[0]?.version);
  });

  it('accepts an empty document', () => {
    assert.deepEqual(parseConfig(undefined, {}), {
      sources: [],
      credentials: [],
      destinations: [],
      outbound: { allowPrivateNetworks: [] },
    });
  });
});

describe('parseConfig: destination rules', () => {
  it('requires a name', () => {
    assertProblem(problemsOf(withDestination({ name: '' })), 'destinations[0].name', /name is required/);
    assertProblem(problemsOf(withDestination({ name: '   ' })), 'destinations[0].name', /name is required/);
  });

  it('refuses a name ending with a space', () => {
    assertProblem(problemsOf(withDestination({ name: 'crm-hook ' })), 'destinations[0].name', /must not end with spaces/);
  });

  it('refuses duplicate names, case-sensitively', () => {
    const doc = validDoc();
    const [first] = doc.destinations as Record<string, unknown>[];
    doc.destinations = [first, { ...first }];
    assertProblem(problemsOf(doc), 'destinations[1].name', /duplicate destination name "crm-hook"/);

    doc.destinations = [
      { ...first, name: 'Hook' },
      { ...first, name: 'hook' },
    ];
    assert.deepEqual(
      parseConfig(doc, env).destinations.map((d) => d.name),
      ['Hook', 'hook'],
    );
  });

  it('refuses plain http', () => {
    assertProblem(problemsOf(withDestination({ url: 'http://hooks.example.com/x' })), 'destinations[0].url', /must use https:\/\//);
  });

  it('allows http://localhost only with allowInsecureHttp', () => {
    assertProblem(problemsOf(withDestination({ url: 'http://localhost:9000/hook' })), 'destinations[0].url', /must use https:\/\//);
    const ok = parseConfig(withDestination({ url: 'http://localhost:9000/hook', allowInsecureHttp: true }), env);
    assert.equal(ok.destinations[0]?.settings.url, 'http://localhost:9000/hook');
    assertProblem(
      problemsOf(withDestination({ url: 'http://hooks.example.com/x', allowInsecureHttp: true })),
      'destinations[0].url',
      /must use https:\/\//,
    );
  });

  it('refuses a URL that does not parse or has another scheme', () => {
    assertProblem(problemsOf(withDestination({ url: 'not a url' })), 'destinations[0].url', /not a valid absolute URL/);
    assertProblem(problemsOf(withDestination({ url: 'ftp://hooks.example.com/x' })), 'destinations[0].url', /unsupported scheme ftp:/);
  });

  it('refuses an unknown source id', () => {
    assertProblem(
      problemsOf(withDestination({ sources: ['capillary-prod', 'kognitiv'] })),
      'destinations[0].sources[1]',
      /no source with id "kognitiv"/,
    );
  });

  it('refuses duplicate header keys, case-insensitively', () => {
    const headers = [
      { key: 'X-Brand', value: 'acme' },
      { key: 'x-brand ', value: 'other' },
    ];
    assertProblem(problemsOf(withDestination({ headers })), 'destinations[0].headers[1].key', /duplicate header "x-brand"/);
  });

  it('refuses an empty header key', () => {
    assertProblem(
      problemsOf(withDestination({ headers: [{ key: '  ', value: 'v' }] })),
      'destinations[0].headers[0].key',
      /header key is required/,
    );
  });

  it('refuses header values with a newline or non-ASCII characters', () => {
    const path = 'destinations[0].headers[0].value';
    assertProblem(problemsOf(withDestination({ headers: [{ key: 'X-A', value: 'a\r\nX-Injected: 1' }] })), path, /visible ASCII/);
    assertProblem(problemsOf(withDestination({ headers: [{ key: 'X-A', value: 'caf\u00e9' }] })), path, /visible ASCII/);
  });

  it('refuses ${VAR} in the URL', () => {
    assertProblem(
      problemsOf(withDestination({ url: 'https://hooks.example.com/?token=${HOOK_TOKEN}' })),
      'destinations[0].url',
      /put secrets in headers/,
    );
  });

  it('refuses placeholders in the URL scheme, userinfo, host and port: the event would choose where secrets go', () => {
    for (const url of [
      'https://{{ event.properties.host }}/x',
      'https://{{ event.properties.host }}',
      'https://hooks.{{ event.properties.tenant }}.example.com/x',
      'https://hooks.example.com{{ event.properties.path }}',
      'https:{{ event.properties.host }}/x',
      'https://hooks.example.com:{{ event.properties.port }}/x',
      'https://{{ event.customer.id }}@hooks.example.com/x',
      '{{ event.properties.scheme }}://hooks.example.com/x',
      '{{ event.properties.url }}',
    ]) {
      assertProblem(
        problemsOf(withDestination({ url })),
        'destinations[0].url',
        /placeholders may appear only in the URL's path and query, not its scheme, credentials, host or port/,
      );
    }
  });

  it('accepts placeholders in the URL path and query', () => {
    const config = parseConfig(withDestination({ url: 'https://hooks.example.com/{{ event.name }}?c={{ event.customer.id }}' }), env);
    assert.equal(config.destinations.length, 1);
  });

  it('refuses framing and hop-by-hop header keys, whatever their case', () => {
    const keys = ['Host', 'content-length', 'Transfer-Encoding', 'CONNECTION', 'Keep-Alive', 'Upgrade', 'TE', 'Trailer'];
    for (const key of [...keys, 'Proxy-Authorization', 'proxy-connection', 'Proxy-Anything']) {
      assertProblem(
        problemsOf(withDestination({ headers: [{ key, value: 'x' }] })),
        'destinations[0].headers[0].key',
        /is set by the HTTP client and cannot be configured/,
      );
    }
  });

  it('refuses a framing header as an API-key credential header', () => {
    const doc = withDestination({});
    doc.credentials = [{ name: 'k', type: 'apiKey', header: 'Content-Length', value: 'v' }];
    assertProblem(problemsOf(doc), 'credentials[0].header', /is set by the HTTP client and cannot be configured/);
  });

  it('refuses ${VAR} in the body', () => {
    assertProblem(problemsOf(withDestination({ body: { token: '${HOOK_TOKEN}' } })), 'destinations[0].body', /put secrets in headers/);
  });

  it('refuses ${VAR} and {{ }} in one header value', () => {
    assertProblem(
      problemsOf(withDestination({ headers: [{ key: 'X-Sig', value: '${HOOK_TOKEN}-{{ event.id }}' }] })),
      'destinations[0].headers[0].value',
      /cannot also hold \{\{ placeholders \}\}/,
    );
  });

  it('reports an unset environment variable, and uses ${VAR:-default}', () => {
    assertProblem(
      problemsOf(validDoc(), { CAPILLARY_KEY: 'k' }),
      'destinations[0].headers[0].value',
      /environment variable HOOK_TOKEN is not set/,
    );
    assertProblem(problemsOf(validDoc(), { HOOK_TOKEN: 't' }), 'sources[0].auth.key', /environment variable CAPILLARY_KEY is not set/);

    const doc = validDoc();
    (doc.sources as { auth: { key: string } }[])[0]!.auth.key = '${CAPILLARY_KEY:-dev-key}';
    assert.deepEqual(parseConfig(doc, { HOOK_TOKEN: 't' }).sources[0]?.auth, { type: 'header', header: 'X-Capillary-Key', key: 'dev-key' });
    assert.deepEqual(parseConfig(doc, { HOOK_TOKEN: 't', CAPILLARY_KEY: 'real' }).sources[0]?.auth, {
      type: 'header',
      header: 'X-Capillary-Key',
      key: 'real',
    });
  });

  it('refuses a body string that is not JSON', () => {
    assertProblem(problemsOf(withDestination({ body: '{"customer": {{ event.customer.id }}}' })), 'destinations[0].body', /not valid JSON/);
  });

  it('reports template problems in the body with their JSON path', () => {
    assertProblem(
      problemsOf(withDestination({ body: { a: { b: '{{ secrets.x }}' } } })),
      'destinations[0].body.a.b',
      /must start with one of/,
    );
  });

  it('refuses an unknown top-level key', () => {
    const problems = problemsOf({ ...validDoc(), destinatons: [] });
    assert.ok(
      problems.some((p) => /destinatons/.test(p.message)),
      JSON.stringify(problems),
    );
  });

  it('reports several problems at once', () => {
    const doc = validDoc();
    const [first] = doc.destinations as Record<string, unknown>[];
    doc.destinations = [
      { ...first, name: 'a ', url: 'http://hooks.example.com' },
      { ...first, name: 'b', headers: [{ key: '', value: 'x' }], sources: ['nope'] },
    ];
    const problems = problemsOf(doc);
    assert.ok(problems.length >= 4, JSON.stringify(problems));
    assertProblem(problems, 'destinations[0].name', /end with spaces/);
    assertProblem(problems, 'destinations[0].url', /https/);
    assertProblem(problems, 'destinations[1].headers[0].key', /required/);
    assertProblem(problems, 'destinations[1].sources[0]', /no source/);
  });
});

describe('parseConfig: kinds, credentials, signing, enrichment, outbound', () => {
  const WHSEC = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  const more = { ...env, WHSEC, MOE_KEY: 'moe-secret', CG_KEY: 'cg-secret', OAUTH_SECRET: 'client-secret' };
  const oauth = {
    name: 'crm-oauth',
    type: 'oauth2',
    tokenUrl: 'https://auth.example.com/token',
    clientId: 'relay',
    clientSecret: '${OAUTH_SECRET}',
  };

  function withMore(change: Record<string, unknown>, top: Record<string, unknown> = {}): Record<string, unknown> {
    return { ...withDestination(change), credentials: [oauth], ...top };
  }

  it('accepts every kind with its settings, and keeps secrets as references', () => {
    const doc = withMore({ auth: 'crm-oauth', signing: { secret: '${WHSEC}' } });
    doc.destinations = [
      ...(doc.destinations as unknown[]),
      { name: 'moe', kind: 'moengage', events: ['customerAdded'], dataCenter: 3, workspaceId: 'WS1', dataApiKey: '${MOE_KEY}' },
      { name: 'glu', kind: 'customerglu', events: ['pointsIssued'], writeKey: '${CG_KEY}' },
    ];
    const config = parseConfig(doc, more);
    assert.deepEqual(
      config.destinations.map((d) => d.kind),
      ['webhook', 'moengage', 'customerglu'],
    );
    assert.equal(config.destinations[1]?.settings.dataCenter, '03');
    assert.equal(config.credentials[0]?.type, 'oauth2');
    assert.doesNotMatch(
      JSON.stringify(config.destinations) + JSON.stringify(config.credentials),
      /moe-secret|cg-secret|client-secret|whsec_/,
    );
  });

  const rules: [string, Record<string, unknown>, Record<string, unknown>, string, RegExp][] = [
    ['method other than POST', { method: 'PUT' }, {}, 'destinations[0].method', /method must be POST/],
    ['unknown credential set', { auth: 'nope' }, {}, 'destinations[0].auth', /no credential set named "nope"/],
    ['malformed signing secret', { signing: { secret: 'plain-text' } }, {}, 'destinations[0].signing.secret', /must start with "whsec_"/],
    ['unset signing secret variable', { signing: { secret: '${NOT_SET}' } }, {}, 'destinations[0].signing.secret', /NOT_SET is not set/],
    ['credentials in the URL', { url: 'https://user:pw@hooks.example.com/x' }, {}, 'destinations[0].url', /credentials in the URL/],
    ['card numbers without a source', { enrichment: { cardNumbers: true } }, {}, 'destinations[0].enrichment.cardNumbers', /need a source/],
    ['unknown kind', { kind: 'carrier-pigeon' }, {}, 'destinations[0].kind', /unknown destination kind "carrier-pigeon"/],
    ['unknown webhook field', { colour: 'red' }, {}, 'destinations[0]', /colour/],
    [
      'bad allowlist entry',
      {},
      { outbound: { allowPrivateNetworks: ['10.0.0.0/33'] } },
      'outbound.allowPrivateNetworks[0]',
      /invalid prefix/,
    ],
    [
      'plain-http token URL',
      {},
      { credentials: [{ ...oauth, tokenUrl: 'http://auth.example.com/token' }] },
      'credentials[0].tokenUrl',
      /must use https/,
    ],
    [
      'duplicate credential names',
      {},
      { credentials: [oauth, { name: 'crm-oauth', type: 'bearer', token: 't' }] },
      'credentials[1].name',
      /duplicate credential name/,
    ],
    [
      'unset credential secret',
      {},
      { credentials: [{ ...oauth, clientSecret: '${NOPE}' }] },
      'credentials[0].clientSecret',
      /NOPE is not set/,
    ],
  ];
  for (const [name, change, top, path, message] of rules) {
    it(`refuses ${name}`, () => assertProblem(problemsOf(withMore(change, top), more), path, message));
  }

  it('refuses moengage settings outside its rules, each with its message', () => {
    const moe = (extra: Record<string, unknown>) => ({
      destinations: [{ name: 'moe', kind: 'moengage', events: ['x'], dataCenter: '01', workspaceId: 'WS1', dataApiKey: 'k', ...extra }],
    });
    assertProblem(problemsOf(moe({ dataCenter: 7 }), more), 'destinations[0].dataCenter', /one of 01, 02, 03, 04, 05, 06/);
    assertProblem(problemsOf(moe({ workspaceId: 'a b' }), more), 'destinations[0].workspaceId', /letters, digits/);
    assertProblem(problemsOf(moe({ dataApiKey: '' }), more), 'destinations[0].dataApiKey', /dataApiKey is required/);
    assertProblem(problemsOf(moe({ baseUrl: 'http://moe.example.com' }), more), 'destinations[0].baseUrl', /must use https/);
    assertProblem(
      problemsOf(moe({ baseUrl: 'https://{{ event.properties.host }}' }), more),
      'destinations[0].baseUrl',
      /not its scheme, credentials, host or port/,
    );
  });

  it('refuses a customerglu destination without a write key', () => {
    const doc = { destinations: [{ name: 'glu', kind: 'customerglu', events: ['x'] }] };
    assertProblem(problemsOf(doc, more), 'destinations[0].writeKey', /required|expected string/);
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a YAML file', () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(
      file,
      [
        'sources:',
        '  - id: backend',
        '    kind: server',
        '    auth: { key: "${API_KEY}" }',
        'destinations:',
        '  - name: crm',
        '    kind: webhook',
        '    events: [pointsIssued]',
        '    url: https://hooks.example.com/x',
      ].join('\n'),
    );
    const config = loadConfigFile(file, { API_KEY: 'k1' });
    assert.deepEqual(config.sources[0]?.auth, { type: 'header', header: 'X-API-KEY', key: 'k1' });
    assert.equal(config.destinations[0]?.name, 'crm');
  });

  it('names the file when it is missing', () => {
    const file = join(dir, 'missing.yaml');
    assert.throws(
      () => loadConfigFile(file, {}),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.file, file);
        assert.ok(e.message.includes(file));
        assert.match(e.message, /cannot read file/);
        return true;
      },
    );
  });

  it('names the file and line on a YAML syntax error', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'sources:\n  - id: backend\n    kind: [server\n');
    assert.throws(
      () => loadConfigFile(file, {}),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.ok(e.message.includes(file));
        assert.ok(e.problems.length > 0);
        assert.match(e.problems[0]?.path ?? '', /^line \d+$/);
        return true;
      },
    );
  });

  it('refuses duplicate YAML keys', () => {
    const file = join(dir, 'dup.yaml');
    writeFileSync(file, 'sources: []\nsources: []\n');
    assert.throws(() => loadConfigFile(file, {}), ConfigError);
  });
});

describe('parseConfig: literal IPv6 addresses embedding a refused IPv4 address', () => {
  // Each embeds 169.254.169.254 (cloud metadata) or 127.0.0.1 in a form the outbound guard decodes.
  const refused: [string, string][] = [
    ['NAT64 64:ff9b::/96', 'https://[64:ff9b::a9fe:a9fe]/x'],
    ['local-use NAT64 64:ff9b:1::/48', 'https://[64:ff9b:1::a9fe:a9fe]/x'],
    ['6to4 2002::/16', 'https://[2002:a9fe:a9fe::1]/x'],
    ['IPv4-compatible ::/96', 'https://[::a9fe:a9fe]/x'],
    ['IPv4-mapped ::ffff:0:0/96', 'https://[::ffff:127.0.0.1]/x'],
    ['IPv4-translated ::ffff:0:0:0/96', 'https://[::ffff:0:a9fe:a9fe]/x'],
    ['Teredo 2001::/32 (client)', 'https://[2001:0:4136:e378:8000:63bf:5601:5601]/x'],
  ];
  for (const [what, url] of refused) {
    it(`refuses ${what} in a webhook URL, naming the rule`, () => {
      const problems = problemsOf(withDestination({ url }));
      assertProblem(problems, 'destinations[0].url', /embeds the IPv4 address .* refused/);
      assert.equal(problems.find((p) => p.path === 'destinations[0].url')?.rule, 'embedded_ipv4_address');
    });
  }

  it('refuses one in an OAuth token URL and a MoEngage base URL too', () => {
    const doc = validDoc();
    doc.credentials = [{ name: 'crm', type: 'oauth2', tokenUrl: 'https://[64:ff9b::a9fe:a9fe]/token', clientId: 'c', clientSecret: 's' }];
    assertProblem(problemsOf(doc), 'credentials[0].tokenUrl', /embeds the IPv4 address 169\.254\.169\.254/);
    const moe = validDoc();
    moe.destinations = [
      {
        name: 'moe',
        kind: 'moengage',
        events: ['pointsIssued'],
        dataCenter: 1,
        workspaceId: 'W',
        dataApiKey: 'k',
        baseUrl: 'https://[2002:a9fe:a9fe::]/',
      },
    ];
    assertProblem(problemsOf(moe), 'destinations[0].baseUrl', /embeds the IPv4 address/);
  });

  it('accepts an embedded public IPv4 address, and a refused one its allowlist names (file or RELAY_ALLOW_PRIVATE_NETWORKS)', () => {
    assert.equal(parseConfig(withDestination({ url: 'https://[64:ff9b::808:808]/x' }), env).destinations.length, 1);
    const allowed = withDestination({ url: 'https://[::ffff:127.0.0.1]/x' });
    allowed.outbound = { allowPrivateNetworks: ['127.0.0.1/32'] };
    assert.equal(parseConfig(allowed, env).destinations.length, 1);
    const viaEnv = parseConfig(withDestination({ url: 'https://[64:ff9b::a9fe:a9fe]/x' }), {
      ...env,
      RELAY_ALLOW_PRIVATE_NETWORKS: ' 169.254.0.0/16 ',
    });
    assert.equal(viaEnv.destinations.length, 1);
  });

  it('leaves plain loopback literals to the send-time guard (local development)', () => {
    assert.equal(parseConfig(withDestination({ url: 'http://[::1]:9000/hook', allowInsecureHttp: true }), env).destinations.length, 1);
    assert.equal(parseConfig(withDestination({ url: 'https://127.0.0.1:9000/hook' }), env).destinations.length, 1);
  });
});

describe("parseConfig: a destination at the relay's own ingestion path", () => {
  const loops = [
    'http://localhost:8080/v1/sources/backend/events',
    'http://127.0.0.1:8080/v1/sources/backend/events',
    'http://[::1]:8080/V1/Sources/backend/events',
    'http://localhost:8080/v1/sources/{{ event.properties.source }}/events',
    'http://localhost:8080/v1/{{ event.properties.what }}/backend/events',
  ];
  for (const url of loops) {
    it(`refuses ${url} when the receiver listens on 8080 (PORT unset)`, () => {
      const problems = problemsOf(withDestination({ url, allowInsecureHttp: true }));
      assertProblem(problems, 'destinations[0].url', /relay's own ingestion path/);
      assert.equal(problems.find((p) => p.path === 'destinations[0].url')?.rule, 'ingestion_loop');
    });
  }

  it('follows PORT and HOST, and the default port of the scheme', () => {
    const at9000 = withDestination({ url: 'http://localhost:9000/v1/sources/backend/events', allowInsecureHttp: true });
    assertProblem(problemsOf(at9000, { ...env, PORT: '9000' }), 'destinations[0].url', /relay's own ingestion path/);
    assert.equal(parseConfig(at9000, env).destinations.length, 1, 'another port is another service');
    const viaHost = withDestination({ url: 'https://10.1.2.3/v1/sources/backend/events' });
    assertProblem(problemsOf(viaHost, { ...env, PORT: '443', HOST: '10.1.2.3' }), 'destinations[0].url', /own ingestion path/);
    const anyAddress = withDestination({ url: 'https://0.0.0.0:8443/v1/sources/backend/events' });
    assertProblem(problemsOf(anyAddress, { ...env, PORT: '8443' }), 'destinations[0].url', /own ingestion path/);
  });

  it('accepts other paths on the same port, and refuses a token URL at its own token endpoint', () => {
    assert.equal(
      parseConfig(withDestination({ url: 'http://localhost:8080/hooks/v1/sources/x', allowInsecureHttp: true }), env).destinations.length,
      1,
    );
    const doc = validDoc();
    doc.credentials = [
      {
        name: 'self',
        type: 'oauth2',
        tokenUrl: 'http://localhost:8080/v1/sources/backend/oauth/token',
        clientId: 'c',
        clientSecret: 's',
        allowInsecureHttp: true,
      },
    ];
    assertProblem(problemsOf(doc), 'credentials[0].tokenUrl', /own ingestion path/);
  });
});
