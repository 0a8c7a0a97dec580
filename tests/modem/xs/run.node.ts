import * as fs from 'node:fs';
import * as path from 'node:path';
import { utf8Decode, utf8Encode } from '../../../protocol/text/utf8';
import { NodeHostSockets } from '../../../sim/net/host-sockets.node';
import { hostSocketsHandler } from '../../../sim/net/host-sockets-server.node';
import { NET_CHANNEL } from '../../../sim/net/net-codec';
import { bundleForXs } from '../../../sim/xs/bundle.node';
import { decodeBridgeMessage } from '../../../sim/xs/frame';
import type { HostHandler } from '../../../sim/xs/types';
import { startXs } from '../../../sim/xs/xsnap.node';
import { FIXTURES, startEchoServers } from '../harness';

/**
 * Child process of tests/modem/xs-bridge.test.ts (xsnap is an ES module jest cannot load): runs
 * tests/modem/xs/entry.ts in XS with local echo servers behind the `net` channel and prints the
 * entry's report as one JSON line.
 */
async function main(): Promise<void> {
  const servers = await startEchoServers();
  const sockets = new NodeHostSockets();
  let report = '';
  const start = { tcpPort: servers.tcpPort, udpPort: servers.udpPort, tlsPort: servers.tlsPort, ca: fs.readFileSync(path.join(FIXTURES, 'server-cert.pem'), 'utf8') };
  const handlers: Record<string, HostHandler> = {
    start: async () => utf8Encode(JSON.stringify(start)),
    [NET_CHANNEL]: hostSocketsHandler(sockets),
    done: async (p) => {
      report = utf8Decode(p);
      return new Uint8Array(0);
    },
  };
  const worker = await startXs('modem-bridge-test', async (request) => {
    const m = decodeBridgeMessage(request);
    const h = handlers[m.channel];
    if (h === undefined) throw new Error(`unknown channel ${m.channel}`);
    return h(m.payload);
  });
  try {
    await worker.evaluate(await bundleForXs('tests/modem/xs/entry.ts'));
  } finally {
    await worker.close();
    sockets.closeAll();
    await servers.close();
  }
  process.stdout.write(report + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
