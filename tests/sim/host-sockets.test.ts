import * as net from 'node:net';
import { NodeHostSockets } from '../../sim/net/host-sockets.node';
import type { HostSocketEvent } from '../../sim/net/types';

/**
 * The simulator's real sockets: what a settle hands the emulated modem decides the virtual time at
 * which the firmware sees a server's reply, so it must not depend on how busy the machine is.
 */
/** Time the loopback is given to deliver an echo that was written, before the test settles. */
const LOOPBACK_DELIVERY_MS = 50;

/** An echo server that says when its echo has been written. */
function echoServer(): Promise<{ server: net.Server; port: number; echoed: Promise<void> }> {
  let written = (): void => undefined;
  const echoed = new Promise<void>((resolve) => (written = resolve));
  const server = net.createServer((s) => s.on('data', (b) => s.write(b, () => written())));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port, echoed })));
}

async function settleUntil(sockets: NodeHostSockets, done: (events: HostSocketEvent[]) => boolean): Promise<HostSocketEvent[]> {
  const all: HostSocketEvent[] = [];
  while (!done(all)) all.push(...(await sockets.settle()));
  return all;
}

describe('NodeHostSockets.settle', () => {
  test('a reply that arrived before the settle began is handed over by it', async () => {
    const { server, port, echoed } = await echoServer();
    const sockets = new NodeHostSockets();
    try {
      const id = sockets.openStream({ host: '127.0.0.1', port });
      await settleUntil(sockets, (e) => e.some((x) => x.type === 'open'));
      sockets.send(id, new TextEncoder().encode('PING\r\n'));
      // The echo arrives while the caller is busy elsewhere (a loaded machine), before it settles.
      await echoed;
      await new Promise((resolve) => setTimeout(resolve, LOOPBACK_DELIVERY_MS));
      const events = await sockets.settle();
      expect(events).toEqual([{ type: 'data', id, bytes: new TextEncoder().encode('PING\r\n') }]);
    } finally {
      sockets.closeAll();
      server.close();
    }
  });

  test('a reply split over two writes of the server is handed over whole by one settle', async () => {
    const server = net.createServer((s) =>
      s.on('data', () => {
        s.write('150 Opening\r\n');
        setImmediate(() => s.write('226 Done\r\n'));
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sockets = new NodeHostSockets();
    try {
      const id = sockets.openStream({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
      await settleUntil(sockets, (e) => e.some((x) => x.type === 'open'));
      sockets.send(id, new TextEncoder().encode('RETR x\r\n'));
      const events = await sockets.settle();
      const text = events.map((e) => (e.type === 'data' ? new TextDecoder().decode(e.bytes) : '')).join('');
      expect(text).toBe('150 Opening\r\n226 Done\r\n');
    } finally {
      sockets.closeAll();
      server.close();
    }
  });
});
