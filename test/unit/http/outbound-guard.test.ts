/** The outbound guard: which addresses a destination may reach. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlockedAddressError, createOutboundGuard } from '../../../src/http/outbound-guard';

describe('outbound guard', () => {
  const guard = createOutboundGuard();
  const refused = [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.100.100.200',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
  ];
  const allowed = ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '172.32.0.1'];
  for (const a of refused) it(`refuses ${a}`, () => assert.equal(guard.allows(a), false));
  for (const a of allowed) it(`allows ${a}`, () => assert.equal(guard.allows(a), true));

  it('lets the allowlist through, and only it', () => {
    const dev = createOutboundGuard(['127.0.0.0/8', '::1']);
    assert.equal(dev.allows('127.0.0.1'), true);
    assert.equal(dev.allows('::1'), true);
    assert.equal(dev.allows('10.0.0.1'), false);
  });

  // IPv6 forms embedding an IPv4 address are judged by the IPv4 address they carry.
  const embedded: [string, string][] = [
    ['64:ff9b::a9fe:a9fe', 'NAT64 of 169.254.169.254'],
    ['64:ff9b::7f00:1', 'NAT64 of 127.0.0.1'],
    ['64:ff9b::10.0.0.1', 'NAT64 of 10.0.0.1, dotted'],
    ['64:ff9b:1::a9fe:a9fe', 'local-use NAT64 (refused as a whole)'],
    ['64:ff9b:1:a9fe:a9:fe00::', 'local-use NAT64, /48 layout'],
    ['2002:7f00:1::', '6to4 of 127.0.0.1'],
    ['2002:a9fe:a9fe::1', '6to4 of 169.254.169.254'],
    ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
    ['::7f00:1', 'IPv4-compatible 127.0.0.1'],
    ['::127.0.0.1', 'IPv4-compatible 127.0.0.1, dotted'],
    ['::a9fe:a9fe', 'IPv4-compatible 169.254.169.254'],
    ['::ffff:0:7f00:1', 'IPv4-translated 127.0.0.1'],
    ['::ffff:0:a9fe:a9fe', 'IPv4-translated 169.254.169.254'],
    ['::ffff:7f00:1', 'IPv4-mapped 127.0.0.1, hex'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped 169.254.169.254, hex'],
    ['::ffff:6464:64c8', 'IPv4-mapped 100.100.100.200 (CGNAT), hex'],
    ['2001:0:7f00:1::1', 'Teredo with server 127.0.0.1'],
    ['2001:0:808:808::80ff:fffe', 'Teredo with client 127.0.0.1 (XOR 0xffffffff)'],
    ['2001:0:808:808::5601:5601', 'Teredo with client 169.254.169.254'],
    ['::', 'unspecified'],
    ['0:0:0:0:0:ffff:127.0.0.1', 'IPv4-mapped, long form'],
  ];
  for (const [a, why] of embedded) it(`refuses ${a} (${why})`, () => assert.equal(guard.allows(a), false));
  for (const a of ['64:ff9b::808:808', '2002:808:808::1', '::ffff:808:808', '2001:0:808:808::f7f7:f7f7'])
    it(`allows ${a} (a public IPv4 address embedded)`, () => assert.equal(guard.allows(a), true));

  it('an IPv4 allowlist entry allows the embedded forms of that range only', () => {
    const dev = createOutboundGuard(['127.0.0.0/8']);
    for (const a of ['64:ff9b::7f00:1', '2002:7f00:1::', '::ffff:7f00:1', '::ffff:127.0.0.1', '::7f00:1', '2001:0:808:808::80ff:fffe'])
      assert.equal(dev.allows(a), true, a);
    for (const a of ['64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::1', '::ffff:0:a9fe:a9fe', '2001:0:7f00:1::5601:5601', '::1'])
      assert.equal(dev.allows(a), false, a);
    // Teredo: both the server and the client must pass.
    assert.equal(dev.allows('2001:0:a9fe:a9fe::80ff:fffe'), false);
  });

  it('refuses the OWASP SSRF literal forms as the URL parser normalizes them', () => {
    const urls = [
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://0x7f.1/',
      'http://127.1/',
      'http://0/',
      'http://[::]/',
      'http://[0:0:0:0:0:ffff:127.0.0.1]/',
      'https://[64:ff9b::a9fe:a9fe]/',
      'https://[::127.0.0.1]/',
      'https://[::ffff:0:7f00:1]/',
      'https://[2002:a9fe:a9fe::]/',
    ];
    for (const url of urls) assert.throws(() => guard.checkLiteral(new URL(url).hostname), BlockedAddressError, url);
  });

  it('refuses names resolving to loopback, with a trailing dot too', async () => {
    for (const name of ['localhost', 'localhost.']) {
      const err = await new Promise<unknown>((resolve) => guard.lookup(name, {}, (e) => resolve(e)));
      // A resolver may not know `localhost.`: then the lookup fails, which refuses it as well.
      assert.ok(err instanceof Error, `${name}: ${String(err)}`);
      if (name === 'localhost') assert.ok(err instanceof BlockedAddressError, String(err));
    }
  });

  it('checks the resolved address of a name (localhost resolves to loopback)', async () => {
    const err = await new Promise<unknown>((resolve) => guard.lookup('localhost', {}, (e) => resolve(e)));
    assert.ok(err instanceof BlockedAddressError, String(err));
    assert.throws(() => guard.checkLiteral('[::1]'), BlockedAddressError);
  });
});
