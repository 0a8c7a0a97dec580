import type { Clock } from '../ports/clock';
import type { Datagram, DatagramSocket, Network } from '../ports/network';
import { resolveHost } from '../net/resolve';
import { buildRequest, computeOffset, NTP_PORT, ntpToMs, parsePacket, validateReply } from './packet';

const DEFAULT_TIMEOUT_MS = 5000;

export type SntpErrorKind = 'timeout' | 'network' | 'kiss' | 'rejected';

export class SntpError extends Error {
  override readonly name = 'SntpError';

  constructor(
    readonly kind: SntpErrorKind,
    message: string,
    /** Kiss-o'-death code (RFC 4330 §8: DENY and RSTR mean stop asking this server, RATE slow down). */
    readonly kiss?: string,
  ) {
    super(message);
  }
}

export interface SntpResult {
  /** Server-corrected UTC milliseconds at the moment the reply was received (T4 + offset). */
  readonly utcMs: number;
  /** Offset to add to the RTC to get UTC (RFC 4330 θ). */
  readonly offsetMs: number;
  /** RTC minus UTC: positive when the RTC runs ahead (manual §4.2.4 `timeGap` compares its size). */
  readonly driftMs: number;
  /** Round-trip delay (RFC 4330 δ). */
  readonly delayMs: number;
  readonly stratum: number;
  readonly referenceId: string;
  /** The address the reply came from. */
  readonly address: string;
}

/**
 * One SNTP v4 exchange (RFC 4330 §5) over a `DatagramSocket`: resolves `server`, sends a client
 * request stamped with the RTC, and waits `timeoutMs` on the injected clock for a reply from that
 * address and port whose originate timestamp matches. Other datagrams are ignored; a
 * kiss-o'-death or an unsynchronized server rejects at once. Does not set the clock.
 */
export async function querySntp(network: Network, clock: Clock, server: string, port = NTP_PORT, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<SntpResult> {
  const started = clock.now();
  let address: string;
  try {
    address = await resolveHost(network, clock, server, timeoutMs);
  } catch (e) {
    throw new SntpError('network', e instanceof Error ? e.message : String(e));
  }
  const remaining = Math.max(0, timeoutMs - (clock.now() - started));

  return new Promise<SntpResult>((resolve, reject) => {
    let settled = false;
    let ignored = '';
    let socket: DatagramSocket | undefined;
    let request: Uint8Array | undefined;
    let t1 = 0;

    const finish = (): void => {
      settled = true;
      clock.clearTimer(timer);
      socket?.close();
    };
    const fail = (error: SntpError): void => {
      if (settled) return;
      finish();
      reject(error);
    };
    const timer = clock.setTimer(clock.now() + remaining, () => {
      if (settled) return;
      fail(new SntpError('timeout', `no valid reply from ${address}:${port} within ${timeoutMs} ms${ignored ? ` (ignored: ${ignored})` : ''}`));
    });

    const consider = (d: Datagram, t4: number): void => {
      if (!request) return;
      if (d.address !== address || d.port !== port) {
        ignored = `datagram from ${d.address}:${d.port}`;
        return;
      }
      const parsed = parsePacket(d.bytes);
      if (!parsed.ok) {
        ignored = parsed.error;
        return;
      }
      const valid = validateReply(parsed.value, request);
      if (!valid.ok) {
        if (valid.kiss !== undefined) return fail(new SntpError('kiss', `${address}: ${valid.error}`, valid.kiss));
        if (/originate/.test(valid.error)) {
          ignored = valid.error;
          return;
        }
        return fail(new SntpError('rejected', `${address}: ${valid.error}`));
      }
      const reply = valid.value;
      const t2 = ntpToMs(reply.receive);
      const t3 = ntpToMs(reply.transmit);
      const { offsetMs, delayMs } = computeOffset(t1, t2, t3, t4);
      finish();
      resolve({ utcMs: t4 + offsetMs, offsetMs, driftMs: -offsetMs, delayMs, stratum: reply.stratum, referenceId: reply.referenceId, address });
    };

    const drain = (): void => {
      const t4 = clock.now();
      for (;;) {
        if (settled || !socket) return;
        const d = socket.read();
        if (!d) return;
        consider(d, t4);
      }
    };

    try {
      socket = network.openDatagram({
        onReadable: () => drain(),
        onError: (message) => fail(new SntpError('network', `UDP socket: ${message}`)),
      });
    } catch (e) {
      return fail(new SntpError('network', `UDP socket: ${e instanceof Error ? e.message : String(e)}`));
    }
    if (settled) {
      socket.close();
      return;
    }
    t1 = clock.now();
    request = buildRequest(t1);
    try {
      socket.write(request, address, port);
    } catch (e) {
      fail(new SntpError('network', `UDP send: ${e instanceof Error ? e.message : String(e)}`));
    }
  });
}
