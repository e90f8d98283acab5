/**
 * `relay redeliver` without a relay to talk to: argument mistakes are usage errors (exit 2,
 * through relay.ts), an unreachable relay and the API's refusals are printed (exit 1). The
 * end-to-end test (test/e2e/redelivery.test.ts) covers it against a real relay.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { redeliverCommand, RedeliverUsageError } from '../../../src/cli/redeliver';

const ROOT = join(__dirname, '..', '..', '..');

function sinks() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      out: { write: (c: string) => out.push(c) > 0, isTTY: false } as unknown as NodeJS.WritableStream,
      err: { write: (c: string) => err.push(c) > 0 } as unknown as NodeJS.WritableStream,
      intervalMs: 10,
    },
  };
}

describe('relay redeliver: arguments', () => {
  const env = { PORT: 1, RELAY_ADMIN_TOKEN: 'token-0123456789abcdefghij' };
  const cases: [string[], RegExp][] = [
    [['--bulk'], /--bulk needs --since/],
    [['--bulk', '--since', '2026-11-29', '--event', 'e'], /--bulk takes a filter/],
    [['--bulk', '--since', '2026-11-29', '--destination', 'a', '--destination', 'b'], /one --destination/],
    [['--source', 'capillary'], /needs --source and --event/],
    [['--source', 'capillary', '--event', 'e', '--since', '2026-11-29'], /go with --bulk/],
    [['--workflow-id', 'w', '--source', 's', '--event', 'e'], /not both/],
  ];
  for (const [args, message] of cases) {
    it(`refuses ${args.join(' ')}`, async () => {
      await assert.rejects(
        redeliverCommand(args, env, sinks().io),
        (e: unknown) => e instanceof RedeliverUsageError && message.test(e.message),
      );
    });
  }

  it('needs RELAY_ADMIN_TOKEN', async () => {
    await assert.rejects(redeliverCommand(['--source', 's', '--event', 'e'], { PORT: 1 }, sinks().io), /RELAY_ADMIN_TOKEN/);
  });

  it('says when the relay cannot be reached (exit code 1)', async () => {
    const s = sinks();
    assert.equal(await redeliverCommand(['--source', 's', '--event', 'e'], env, s.io), 1);
    assert.match(s.err.join(''), /the relay is not reachable at http:\/\/127\.0\.0\.1:1 .*give --url/);
  });

  it('is wired into relay.ts: a usage mistake exits 2 with the usage', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/entry/relay.ts'), 'redeliver', '--bulk'], {
      cwd: ROOT,
      env: { ...process.env, RELAY_ADMIN_TOKEN: 'token-0123456789abcdefghij' },
      encoding: 'utf8',
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /relay: --bulk needs --since/);
    assert.match(run.stderr, /redeliver --bulk --since T/);
  });
});

describe('relay redeliver: the API answers', () => {
  let server: Server;
  let port = 0;
  const seen: { method: string; url: string; body: string; auth: string }[] = [];
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', body, auth: req.headers.authorization ?? '' });
        res.setHeader('content-type', 'application/json');
        if (req.url?.includes('refused')) {
          res.writeHead(409).end(JSON.stringify({ code: 'already_delivered', message: '"crm" got a 2xx for this event', requestId: 'r' }));
        } else if (req.url?.includes('down')) {
          res
            .writeHead(503, { 'retry-after': '5' })
            .end(JSON.stringify({ code: 'temporal_unavailable', message: 'retry later', requestId: 'r' }));
        } else res.writeHead(200).end(JSON.stringify({ workflowId: 'relay:s:e', redelivering: ['crm'] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the named destinations, URL-encoded ids and the token; prints the answer', async () => {
    const s = sinks();
    const code = await redeliverCommand(
      ['--source', 'cap/x', '--event', 'e 1', '--destination', 'crm'],
      { PORT: port, RELAY_ADMIN_TOKEN: 'tok' },
      s.io,
    );
    assert.equal(code, 0);
    assert.deepEqual(seen.at(-1), {
      method: 'POST',
      url: '/v1/events/cap%2Fx/e%201/redeliver',
      body: '{"destinations":["crm"]}',
      auth: 'Bearer tok',
    });
    assert.match(s.out.join(''), /relay:s:e: redelivering to crm/);
  });

  it('prints a refusal with its code, and Retry-After of a 503 (exit code 1)', async () => {
    const s = sinks();
    assert.equal(await redeliverCommand(['--workflow-id', 'refused'], { PORT: port, RELAY_ADMIN_TOKEN: 'tok' }, s.io), 1);
    assert.match(s.err.join(''), /409 already_delivered: "crm" got a 2xx for this event/);
    assert.equal(await redeliverCommand(['--workflow-id', 'down'], { PORT: port, RELAY_ADMIN_TOKEN: 'tok' }, s.io), 1);
    assert.match(s.err.join(''), /503 temporal_unavailable: retry later \(retry after 5 s\)/);
  });
});
