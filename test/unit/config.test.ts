import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfigFile, parseConfig, type ConfigProblem } from '../../src/config/load';

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

function problemsOf(doc: unknown, e: Record<string, string | undefined> = env): ConfigProblem[] {
  try {
    parseConfig(doc, e);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('configuration was accepted');
}

function assertProblem(problems: ConfigProblem[], path: string, message: RegExp): void {
  assert.ok(
    problems.some((p) => p.path === path && message.test(p.message)),
    `no problem at ${path} matching ${message}; got ${JSON.stringify(problems)}`,
  );
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
    assert.equal(d.allowInsecureHttp, false);
    assert.equal(d.slaSeconds, 60);
    assert.equal(d.maxConnections, 10);
    assert.equal(d.timeoutSeconds, 10);
    assert.equal(d.retryWindowSeconds, 86_400);
    assert.deepEqual(d.enrichment, { pointsBalance: false });
    assert.match(d.version, /^[0-9a-f]{12}$/);
    assert.deepEqual(d.events, ['pointsIssued', 'CouponRedeem']);
    assert.deepEqual(d.body, { customer: '{{ event.customer.id }}', points: '{{ event.properties.totalPointsIssued }}' });
  });

  it('trims headers and keeps secret ones unresolved', () => {
    const [d] = config.destinations;
    assert.deepEqual(d?.headers, [
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
    assert.deepEqual(parseConfig(undefined, {}), { sources: [], destinations: [] });
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
    assert.equal(ok.destinations[0]?.url, 'http://localhost:9000/hook');
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
