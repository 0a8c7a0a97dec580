/** Host and port handling shared by the FTP and NTP clients. */

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const PORT_MIN = 1;
const PORT_MAX = 65535;
const MAX_HOST_LENGTH = 64;

/** Whether `text` is a dotted-quad IPv4 address. */
export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && parseInt(p, 10) <= 255);
}

/**
 * `"ftp.webdyn.com:60"` → `{ host, port: 60 }`; without `:port`, `defaultPort`.
 * Manual §4.2.3.2 / §4.2.3.3: address or name of at most 64 characters, optional `:port` 1..65535.
 */
export function parseHostPort(text: string, defaultPort: number): { ok: true; value: HostPort } | { ok: false; error: string } {
  const trimmed = text.trim();
  const colon = trimmed.lastIndexOf(':');
  const host = colon < 0 ? trimmed : trimmed.slice(0, colon);
  if (host === '') return { ok: false, error: `address '${text}': empty host` };
  if (host.length > MAX_HOST_LENGTH) return { ok: false, error: `address '${text}': host longer than ${MAX_HOST_LENGTH} characters` };
  if (!/^[A-Za-z0-9.-]+$/.test(host)) return { ok: false, error: `address '${text}': invalid host characters` };
  if (colon < 0) return { ok: true, value: { host, port: defaultPort } };
  const portText = trimmed.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return { ok: false, error: `address '${text}': port is not a number` };
  const port = parseInt(portText, 10);
  if (port < PORT_MIN || port > PORT_MAX) return { ok: false, error: `address '${text}': port ${port} out of range ${PORT_MIN}..${PORT_MAX}` };
  return { ok: true, value: { host, port } };
}

/**
 * Addresses a server behind NAT tends to put in a 227 reply although a client on the Internet
 * cannot reach them: unspecified, loopback, RFC 1918 private, RFC 6598 shared, link-local.
 */
export function isUnroutable(address: string): boolean {
  if (!isIpv4(address)) return false;
  const [a, b] = address.split('.').map((p) => parseInt(p, 10));
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
  );
}
