/**
 * Where an alert may be sent (SSRF guard). An admin types the robot's URL, and the server then makes
 * requests to it: without a guard that is a way to reach the database, the metadata service of a cloud
 * host or anything else behind the firewall. So only `http:`/`https:` URLs without credentials are
 * taken, and a private, loopback, link-local or otherwise special address is refused — both when the
 * URL is saved (a literal address or `localhost`) and at every send, on the address the name resolves
 * to (a custom `lookup`, so the checked address is the one connected to: no DNS rebinding window).
 * `ALERT_ALLOW_PRIVATE_URLS=1` lifts the address rule for a receiver on the same host or LAN (and tests).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns'
import { BlockList, isIP, type LookupFunction } from 'node:net'

/** Address ranges an alert never goes to unless private addresses are allowed. */
const BLOCKED = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata 169.254.169.254)
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4')
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (may embed a private IPv4)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6')
}

/** The IPv4 address a NAT64 address (64:ff9b::/96) embeds, or undefined. */
function nat64Embedded(address: string): string | undefined {
  const m = /^64:ff9b::([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address)
  if (!m) return undefined
  const hi = parseInt(m[1]!, 16)
  const lo = parseInt(m[2]!, 16)
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
}

// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are checked against the IPv4 rules by BlockList itself.

/** Whether an IP address is private, loopback, link-local or otherwise not a public internet address. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const family = isIP(bare)
  if (family === 4) return BLOCKED.check(bare, 'ipv4')
  if (family === 6) {
    const embedded = nat64Embedded(bare)
    if (embedded) return BLOCKED.check(embedded, 'ipv4')
    return BLOCKED.check(bare, 'ipv6')
  }
  return true
}

/** Why a URL may not be used, or undefined when it may. */
export function urlProblem(text: string, allowPrivate: boolean): string | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'must be an absolute http(s) URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https:// or http://'
  if (url.username || url.password) return 'must not carry a user name or password'
  if (!url.hostname) return 'must name a host'
  if (allowPrivate) return undefined
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at this server (localhost)'
  if (isIP(host) && isPrivateAddress(host)) return 'must not point at a private, loopback or link-local address'
  return undefined
}

/** The error of a send refused because its host resolves to a private address. */
export class AddressRefused extends Error {
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a private or loopback address (set ALERT_ALLOW_PRIVATE_URLS=1 to allow)`)
    this.name = 'AddressRefused'
  }
}

/**
 * A `lookup` for `http.request` that refuses private addresses (unless allowed): the address checked
 * is the address connected to. Literal IP hosts skip `lookup` in Node, so callers check them with
 * {@link urlProblem} first.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return ((hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error)
      const list = addresses ?? []
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }))
      if (!allowPrivate) {
        const bad = list.find((a) => isPrivateAddress(a.address))
        if (bad) return callback(new AddressRefused(hostname, bad.address))
      }
      if (options.all) return callback(null, list)
      return callback(null, list[0]!.address, list[0]!.family)
    })
  }) as unknown as LookupFunction
}
