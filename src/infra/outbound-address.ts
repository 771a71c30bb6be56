/**
 * Which network addresses outbound requests to tenant-supplied URLs (webhooks) may reach: public
 * unicast only. Loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
 * multicast, documentation and reserved ranges are refused, in IPv4 and IPv6 alike; IPv4-mapped IPv6
 * addresses are judged by their IPv4 address.
 */
import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

const REFUSED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  REFUSED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d (embeds an IPv4 address)
  ['::ffff:0:0:0', 96], // IPv4-translated (SIIT): embeds an IPv4 address
  ['64:ff9b::', 96], // NAT64: may embed any IPv4 address
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID, …)
  ['2001:db8::', 32],
  ['2002::', 16], // 6to4: embeds an IPv4 address
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10],
  ['ff00::', 8], // multicast
] as const) {
  REFUSED.addSubnet(network, prefix, 'ipv6');
}

/** True for a public unicast IP address; false for every refused range and for non-addresses. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !REFUSED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** A URL host as an address or name: IPv6 literals lose their brackets. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

export type HostCheck = { readonly ok: true } | { readonly ok: false; readonly reason: 'unresolvable' | 'private'; readonly address?: string };

/**
 * Resolves `hostname` (within `timeoutMs`) and checks every address it has: one private address is
 * enough to refuse, since the connection could use any of them.
 */
export async function checkHost(hostname: string, options: { allowPrivate: boolean; timeoutMs?: number }): Promise<HostCheck> {
  const host = bareHost(hostname);
  if (isIP(host)) return options.allowPrivate || isPublicAddress(host) ? { ok: true } : { ok: false, reason: 'private', address: host };
  let timer: NodeJS.Timeout | undefined;
  try {
    const addresses = await Promise.race([
      lookup(host, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('lookup timed out')), options.timeoutMs ?? 5000);
      }),
    ]);
    if (addresses.length === 0) return { ok: false, reason: 'unresolvable' };
    const refused = options.allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
    return refused ? { ok: false, reason: 'private', address: refused.address } : { ok: true };
  } catch {
    return { ok: false, reason: 'unresolvable' };
  } finally {
    clearTimeout(timer);
  }
}
