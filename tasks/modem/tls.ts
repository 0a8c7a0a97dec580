import { isIpv4 } from '../../protocol/net/address';
import type { TlsOptions } from '../../protocol/ports/network';
import type { CertificateKeeper } from './types';

const NEWLINE = 0x0a;

/**
 * TLS options of FTPS and MQTTS alike: the certificates stored by `certificate` (§5.6.12) are the
 * CAs the server must chain to; none stored, no verification. A name (not an address) is the SNI
 * and the name the certificate must carry.
 */
export function tlsOptionsFor(host: string, certificates: CertificateKeeper | undefined): TlsOptions {
  const serverName = isIpv4(host) ? undefined : host;
  const names = certificates?.list() ?? [];
  const certs = names.map((n) => certificates?.read(n)).filter((c): c is Uint8Array => c !== undefined);
  let ca: Uint8Array | undefined;
  if (certs.length === 1) ca = certs[0];
  else if (certs.length > 1) {
    // PEM blocks chain by concatenation.
    const size = certs.reduce((n, c) => n + c.length + 1, 0);
    ca = new Uint8Array(size);
    let at = 0;
    for (const c of certs) {
      ca.set(c, at);
      at += c.length;
      ca[at++] = NEWLINE;
    }
  }
  return { ...(serverName !== undefined ? { serverName } : {}), ...(ca !== undefined ? { ca } : {}) };
}
