import { utf8Decode, utf8Encode } from '../../protocol/text/utf8';
import { HostSocketsBridge } from '../net/host-sockets.bridge';
import { runSimulation } from '../run';
import type { Scenario } from '../scenario';
import { formatSummary } from '../summary';
import { encodeBridgeMessage } from './frame';
import type { HostBridge } from './types';

/** xsnap's host call: synchronous, bytes in and out. */
declare function issueCommand(request: ArrayBuffer): ArrayBuffer;

/** What the Node host hands the XS run (channel 'start'). */
export interface XsStart {
  readonly scenario: Scenario;
  readonly ftpPort: number;
  readonly ntpPort: number;
  readonly json: boolean;
  readonly files: boolean;
  readonly trace: boolean;
}

const EMPTY = new Uint8Array(0);
let virtualNow = (): number => 0;

const bridge: HostBridge = {
  call(channel, request) {
    const message = encodeBridgeMessage({ channel, virtualMs: virtualNow(), payload: request });
    const reply = issueCommand(message.buffer.slice(message.byteOffset, message.byteOffset + message.byteLength) as ArrayBuffer);
    return new Uint8Array(reply);
  },
};

function send(channel: string, text: string): void {
  bridge.call(channel, utf8Encode(text));
}

/** The same run as `npm start`, inside XS: the firmware, its fakes and the world all run here. */
async function main(): Promise<void> {
  const start = JSON.parse(utf8Decode(bridge.call('start', EMPTY))) as XsStart;
  const print = (line: string): void => send('print', line);
  const s = start.scenario;
  print(`simulating ${s.name}: ${s.meters.meters} meters, ${s.days} day(s) from ${s.start}, seed ${s.seed}`);
  const run = await runSimulation(s, {
    print,
    sockets: new HostSocketsBridge(bridge),
    ftpPort: start.ftpPort,
    ntpPort: start.ntpPort,
    ...(start.trace ? { trace: (line: string) => send('trace', line) } : {}),
    attachClock: (now) => {
      virtualNow = now;
    },
  });
  for (const line of formatSummary(run.summary)) print(line);
  if (start.json) print(JSON.stringify(run.summary));
  if (start.files) {
    for (const [name, bytes] of run.device.files) {
      const head = utf8Encode(name);
      const payload = new Uint8Array(1 + head.length + bytes.length);
      payload[0] = head.length;
      payload.set(head, 1);
      payload.set(bytes, 1 + head.length);
      bridge.call('file', payload);
    }
  }
  send('done', JSON.stringify(run.summary));
}

main().catch((e: unknown) => send('error', e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e)));
