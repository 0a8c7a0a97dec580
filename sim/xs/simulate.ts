import { utf8Decode, utf8Encode } from '../../protocol/text/utf8';
import { HostSocketsBridge } from '../net/host-sockets.bridge';
import { runSimulation } from '../run';
import type { Scenario } from '../scenario';
import { outTree } from '../cli/out-tree';
import { formatSummary } from '../summary';
import { framedBridge } from './frame';
import type { HostTransport } from './types';

/** What the Node host hands the XS run (channel 'start'). */
export interface XsStart {
  readonly scenario: Scenario;
  readonly ftpPort: number;
  readonly ntpPort: number;
  /** The local MQTT broker's port, for a site with `remote.transport` mqtt or both. */
  readonly mqttPort?: number;
  readonly json: boolean;
  readonly files: boolean;
  readonly trace: boolean;
}

const EMPTY = new Uint8Array(0);

/**
 * The same run as `npm start`, inside XS: the firmware, its fakes and the world all run here; the
 * host (sim/xs/host.node.ts) only answers the bridge's channels. Both XS engines run this: xsnap
 * (sim/xs/entry.ts, over `issueCommand`) and the Moddable SDK's own XS, preloaded
 * (sim/moddable/main.ts, over `host_bridge`).
 */
export async function simulateInXs(transport: HostTransport): Promise<void> {
  let virtualNow = (): number => 0;
  const bridge = framedBridge(transport, () => virtualNow());
  const send = (channel: string, text: string): void => void bridge.call(channel, utf8Encode(text));
  try {
    const start = JSON.parse(utf8Decode(bridge.call('start', EMPTY))) as XsStart;
    const print = (line: string): void => send('print', line);
    const s = start.scenario;
    print(`simulating ${s.name}: ${s.meters.meters} meters, ${s.days} day(s) from ${s.start}, seed ${s.seed}`);
    const run = await runSimulation(s, {
      print,
      sockets: new HostSocketsBridge(bridge),
      ftpPort: start.ftpPort,
      ntpPort: start.ntpPort,
      ...(start.mqttPort !== undefined ? { mqttPort: start.mqttPort } : {}),
      ...(start.trace ? { trace: (line: string) => send('trace', line) } : {}),
      attachClock: (now) => {
        virtualNow = now;
      },
    });
    for (const line of formatSummary(run.summary)) print(line);
    if (start.json) print(JSON.stringify(run.summary));
    if (start.files) {
      for (const [name, bytes] of outTree(run)) {
        const head = utf8Encode(name);
        const payload = new Uint8Array(1 + head.length + bytes.length);
        payload[0] = head.length;
        payload.set(head, 1);
        payload.set(bytes, 1 + head.length);
        bridge.call('file', payload);
      }
    }
    send('done', JSON.stringify(run.summary));
  } catch (e: unknown) {
    send('error', e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e));
  }
}
