/**
 * Outbound safety: destinations must not reach loopback, private, link-local or cloud
 * metadata addresses unless an allowlist lets them. The check runs on the *resolved*
 * address inside the socket's DNS lookup, so a public name that resolves to 127.0.0.1 (or
 * changes its answer between check and use) is refused too.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Ranges refused by default (RFC 6890 special-purpose, CGNAT, multicast, metadata). */
const BLOCKED: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT; holds Alibaba's metadata 100.100.100.200
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'], // link-local; holds the cloud metadata 169.254.169.254
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'], // unique local; holds AWS metadata fd00:ec2::254
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
  ['64:ff9b:1::', 48, 'ipv6'], // local-use NAT64 (RFC 8215): embeds an IPv4 address where its operator chooses
];

/** The address refused for this destination, with why. */
export class BlockedAddressError extends Error {
  readonly code = 'ERR_RELAY_BLOCKED_ADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      `${host} resolves to ${address}, a loopback, private, link-local or metadata address; ` +
        'refused (add it to outbound.allowPrivateNetworks to allow it)',
    );
    this.name = 'BlockedAddressError';
  }
}

export interface OutboundGuard {
  /** Whether a resolved address may be connected to. */
  allows(address: string): boolean;
  /** A `lookup` for net/tls.connect that refuses blocked addresses. */
  lookup: typeof dnsLookup;
  /** Throws BlockedAddressError when `host` is an IP literal that is blocked (sockets skip lookup for those). */
  checkLiteral(host: string): void;
}

function toBlockList(entries: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const list = new BlockList();
  for (const [net, prefix, type] of entries) list.addSubnet(net, prefix, type);
  return list;
}

/** Parse `10.0.0.0/8`, `::1`, `127.0.0.1` into subnet entries; throws on a bad entry. */
export function parseCidr(entry: string): [string, number, 'ipv4' | 'ipv6'] {
  const [address = '', prefixText] = entry.trim().split('/');
  const version = isIP(address);
  if (version === 0) throw new Error(`"${entry}" is not an IP address or CIDR range`);
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new Error(`"${entry}" has an invalid prefix length`);
  return [address, prefix, version === 4 ? 'ipv4' : 'ipv6'];
}

/** The 16 bytes of an IPv6 address (`::`, a trailing dotted quad and a `%zone` accepted), or undefined. */
export function ipv6Bytes(address: string): Uint8Array | undefined {
  const bare = address.replace(/%.*$/, '');
  if (isIP(bare) !== 6) return undefined;
  let text = bare;
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

const dotted = (b: Uint8Array, at: number, xor = 0): string => [0, 1, 2, 3].map((i) => ((b[at + i] ?? 0) ^ xor).toString()).join('.');
const zero = (b: Uint8Array, from: number, to: number): boolean => b.subarray(from, to).every((x) => x === 0);

/**
 * The IPv4 addresses an IPv6 address carries, which reach (or name) those IPv4 hosts:
 * IPv4-mapped `::ffff:0:0/96`, IPv4-translated `::ffff:0:0:0/96`, IPv4-compatible `::/96`,
 * NAT64 `64:ff9b::/96` (RFC 6052), 6to4 `2002::/16` (bits 16–47) and Teredo `2001::/32`
 * (server in bits 32–63, client in the last 32 bits XOR 0xffffffff). Empty for other addresses.
 * (The local-use NAT64 prefix `64:ff9b:1::/48` places the IPv4 address where its operator
 * chooses, so it is refused as a whole instead: see BLOCKED.)
 */
export function embeddedIpv4(address: string): string[] {
  const b = ipv6Bytes(address);
  if (!b) return [];
  const w = (i: number) => ((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0);
  if (zero(b, 0, 10) && w(5) === 0xffff) return [dotted(b, 12)]; // mapped
  if (zero(b, 0, 8) && w(4) === 0xffff && w(5) === 0) return [dotted(b, 12)]; // translated
  if (zero(b, 0, 12)) return [dotted(b, 12)]; // compatible (deprecated), includes :: and ::1
  if (w(0) === 0x64 && w(1) === 0xff9b && zero(b, 4, 12)) return [dotted(b, 12)]; // NAT64 well-known prefix
  if (w(0) === 0x2002) return [dotted(b, 2)]; // 6to4
  if (w(0) === 0x2001 && w(1) === 0) return [dotted(b, 4), dotted(b, 12, 0xff)]; // Teredo server, client
  return [];
}

/** The local-use NAT64 prefix (RFC 8215), refused as a whole (see BLOCKED). */
const LOCAL_NAT64 = toBlockList([['64:ff9b:1::', 48, 'ipv6']]);

/**
 * Why an IPv6 literal that embeds an IPv4 address (NAT64, 6to4, Teredo, compatible, mapped,
 * translated) is refused by `guard`, or undefined: configuration refuses such literals at once,
 * by the same judgement as the send-time guard. `::` and `::1` are plain IPv6 (loopback and
 * unspecified), left to the send-time guard as `127.0.0.1` is.
 */
export function embeddedIpv4Refusal(literal: string, guard: OutboundGuard): string | undefined {
  const address = literal.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const bytes = ipv6Bytes(address);
  if (!bytes || guard.allows(address)) return undefined;
  if (zero(bytes, 0, 15) && (bytes[15] ?? 0) <= 1) return undefined;
  if (LOCAL_NAT64.check(address, 'ipv6')) {
    return `${literal} is in the local-use NAT64 prefix 64:ff9b:1::/48, which embeds the IPv4 address where its network chooses: refused`;
  }
  const refused = embeddedIpv4(address).find((v4) => !guard.allows(v4));
  if (refused === undefined) return undefined;
  return `${literal} embeds the IPv4 address ${refused}, a loopback, private, link-local or metadata address: refused`;
}

export function createOutboundGuard(allowPrivateNetworks: string[] = []): OutboundGuard {
  const blocked = toBlockList(BLOCKED);
  // IPv6 rules alone: Node's BlockList would also match an IPv4-mapped address against the IPv4 rules.
  const blockedV6 = toBlockList(BLOCKED.filter(([, , type]) => type === 'ipv6'));
  const allowed = toBlockList(allowPrivateNetworks.map(parseCidr));
  const allowsOne = (address: string, type: 'ipv4' | 'ipv6') => allowed.check(address, type) || !blocked.check(address, type);
  /**
   * An IPv6 address that embeds IPv4 addresses (NAT64, 6to4, Teredo, mapped…) is judged by
   * them: it passes only when each embedded IPv4 address passes the IPv4 rules (blocked
   * ranges, and the allowlist's IPv4 ranges) and the IPv6 address itself is not blocked.
   * An allowlist entry that is an IPv6 range holding the address still allows it outright
   * (`::1` listed allows `::1`), since the operator named that IPv6 range.
   */
  const allows = (raw: string): boolean => {
    const address = raw.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    const version = isIP(address);
    if (version === 4) return allowsOne(address, 'ipv4');
    if (version !== 6) return false;
    if (allowed.check(address, 'ipv6')) return true;
    const embedded = embeddedIpv4(address);
    if (embedded.length === 0) return !blocked.check(address, 'ipv6');
    if (blockedV6.check(address, 'ipv6')) return false;
    return embedded.every((v4) => allowsOne(v4, 'ipv4'));
  };

  const lookup = ((hostname: string, options: object, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      const refused = addresses.find((a) => !allows(a.address));
      if (refused) return callback(new BlockedAddressError(hostname, refused.address));
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new Error(`${hostname} has no addresses`));
      return callback(null, first.address, first.family);
    });
  }) as unknown as typeof dnsLookup;

  return {
    allows,
    lookup,
    checkLiteral(host) {
      const bare = host.replace(/^\[|\]$/g, '');
      if (isIP(bare) !== 0 && !allows(bare)) throw new BlockedAddressError(host, bare);
    },
  };
}
