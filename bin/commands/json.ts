/** JSON views of decoded wM-Bus headers shared by the `decode` and `frame` commands (hex for byte fields). */
import { toHex } from '../../protocol/text/utf8';
import type { LinkHeader, MeterAddress, WmbusHeader } from '../../protocol/wmbus/types';

export function hex2(value: number): string {
  return value.toString(16).padStart(2, '0');
}

export function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}

export function addressJson(a: MeterAddress): Record<string, string> {
  return { manufacturer: a.manufacturer, mField: hex4(a.mField), id: a.id, version: hex2(a.version), deviceType: hex2(a.deviceType) };
}

function optional<T>(value: T | undefined, f: (v: T) => unknown): unknown {
  return value === undefined ? undefined : f(value);
}

/** The link layer's fields (DLL), byte values as hex text. */
export function linkJson(link: LinkHeader): Record<string, unknown> {
  return { l: link.l, lMatchesLength: link.lMatchesLength, c: hex2(link.c), ...addressJson(link.address), diehlTransform: link.diehl };
}

/** Every header field, byte values as hex text. */
export function headerJson(h: WmbusHeader): Record<string, unknown> {
  const { link, ell, afl, tpl } = h;
  return {
    link: linkJson(link),
    ell: optional(ell, (e) => ({
      ci: hex2(e.ci),
      offset: e.offset,
      cc: hex2(e.cc),
      acc: hex2(e.acc),
      receiver: optional(e.receiver, addressJson),
      sessionNumber: optional(e.sessionNumber, (v) => v.toString(16).padStart(8, '0')),
      snEncryption: e.snEncryption,
      payloadCrc: optional(e.payloadCrc, hex4),
      variable: e.variable,
    })),
    afl: optional(afl, (a) => ({
      ci: hex2(a.ci),
      offset: a.offset,
      length: a.length,
      fcl: hex4(a.fcl),
      fragmentId: a.fragmentId,
      moreFragments: a.moreFragments,
      mcl: optional(a.mcl, hex2),
      keyInfo: optional(a.keyInfo, hex4),
      messageCounter: a.messageCounter,
      mac: optional(a.mac, toHex),
      messageLength: a.messageLength,
    })),
    tpl: optional(tpl, (t) => ({
      ci: hex2(t.ci),
      offset: t.offset,
      header: t.kind,
      ...(t.address === undefined ? {} : { address: addressJson(t.address) }),
      acc: optional(t.acc, hex2),
      status: optional(t.status, hex2),
      cfg: optional(t.cfg, hex4),
      cfgExt: optional(t.cfgExt, hex2),
    })),
    securityMode: h.securityMode,
    enhancedId: optional(h.enhancedId, addressJson),
    meter: { source: h.meterSource, ...addressJson(h.meter) },
    identity: { source: h.identitySource, hex: toHex(h.identity) },
    payloadOffset: h.payloadOffset,
  };
}
