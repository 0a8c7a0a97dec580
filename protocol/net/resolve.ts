import type { Clock } from '../ports/clock';
import type { Network } from '../ports/network';
import { isIpv4 } from './address';

/** DNS lookup through the `Network` with a deadline on the injected clock; IPv4 literals skip the lookup. */
export function resolveHost(network: Network, clock: Clock, host: string, timeoutMs: number): Promise<string> {
  if (isIpv4(host)) return Promise.resolve(host);
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    const timer = clock.setTimer(clock.now() + timeoutMs, () => {
      if (settled) return;
      settled = true;
      reject(new Error(`DNS lookup of ${host} timed out after ${timeoutMs} ms`));
    });
    network.resolve(host, (error, address) => {
      if (settled) return;
      settled = true;
      clock.clearTimer(timer);
      if (error !== undefined || address === undefined) reject(new Error(`DNS lookup of ${host} failed: ${error ?? 'no address'}`));
      else if (!isIpv4(address)) reject(new Error(`DNS lookup of ${host} gave a non-IPv4 answer '${address}'`));
      else resolve(address);
    });
  });
}
