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

function unmapped(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return { address: mapped[1], type: 'ipv4' };
  return { address, type: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export function createOutboundGuard(allowPrivateNetworks: string[] = []): OutboundGuard {
  const blocked = toBlockList(BLOCKED);
  const allowed = toBlockList(allowPrivateNetworks.map(parseCidr));
  const allows = (raw: string): boolean => {
    const { address, type } = unmapped(raw.replace(/^\[|\]$/g, ''));
    return allowed.check(address, type) || !blocked.check(address, type);
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
