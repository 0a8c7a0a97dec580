import type { TlsVerifyPolicy } from '../../protocol/config/types';
import { isIpv4 } from '../../protocol/net/address';
import type { TlsOptions } from '../../protocol/ports/network';
import { EVENTS, type EventRecorder } from '../log/events';
import { ConfigurationMissing } from './errors';
import type { CertificateKeeper } from './types';

const NEWLINE = 0x0a;

/** The refusal of `security.tlsVerify` `required` with no CA stored. */
export const TLS_CA_REQUIRED_MESSAGE = 'no CA stored and security.tlsVerify is required';

/** Why `policy` refuses every TLS connection with the certificates stored, or undefined. */
export function tlsRefusal(certificates: CertificateKeeper | undefined, policy: TlsVerifyPolicy): string | undefined {
  return policy === 'required' && (certificates?.list().length ?? 0) === 0 ? TLS_CA_REQUIRED_MESSAGE : undefined;
}

/** The stored certificates as one CA bundle; undefined when none is stored. */
function storedCa(certificates: CertificateKeeper | undefined): Uint8Array | undefined {
  const names = certificates?.list() ?? [];
  const certs = names.map((n) => certificates?.read(n)).filter((c): c is Uint8Array => c !== undefined);
  if (certs.length === 0) return undefined;
  if (certs.length === 1) return certs[0];
  // PEM blocks chain by concatenation.
  const size = certs.reduce((n, c) => n + c.length + 1, 0);
  const ca = new Uint8Array(size);
  let at = 0;
  for (const c of certs) {
    ca.set(c, at);
    at += c.length;
    ca[at++] = NEWLINE;
  }
  return ca;
}

/**
 * TLS options of FTPS and MQTTS alike, for one connection. The certificates stored by
 * `certificate` (§5.6.12) are the CAs the server must chain to, as `security.tlsVerify` says:
 * `auto` verifies when there is one, `required` throws ConfigurationMissing when there is none (before
 * anything is sent), `off` never verifies. Every unverified connection is logged (`tlsUnverified`,
 * a warning, with the host). A name (not an address) is the SNI and the name the certificate must
 * carry.
 */
export function tlsOptionsFor(
  host: string,
  certificates: CertificateKeeper | undefined,
  policy: TlsVerifyPolicy = 'auto',
  events?: EventRecorder,
): TlsOptions {
  const serverName = isIpv4(host) ? undefined : host;
  const ca = policy === 'off' ? undefined : storedCa(certificates);
  if (ca === undefined && policy === 'required') throw new ConfigurationMissing(TLS_CA_REQUIRED_MESSAGE);
  if (ca === undefined) events?.record(EVENTS.tlsUnverified, `${host} (${policy === 'off' ? 'security.tlsVerify off' : 'no CA stored'})`);
  return { ...(serverName !== undefined ? { serverName } : {}), ...(ca !== undefined ? { ca } : {}) };
}
