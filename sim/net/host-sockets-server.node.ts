import type { HostHandler } from '../xs/types';
import { NodeHostSockets } from './host-sockets.node';
import { NetOp, decodeRequest, encodeResponse, type NetResponse } from './net-codec';
import type { HostSockets } from './types';

/**
 * The Node side of `HostSocketsBridge`: register it for channel `net` (NET_CHANNEL) of the XS
 * runner's bridge. Decodes a request, runs it on real sockets, encodes the answer.
 */
export function hostSocketsHandler(sockets: HostSockets = new NodeHostSockets()): HostHandler {
  return async (bytes) => {
    const request = decodeRequest(bytes);
    let response: Omit<NetResponse, 'busy' | 'open'> = {};
    switch (request.op) {
      case NetOp.OpenStream:
        response = { id: sockets.openStream(request.request) };
        break;
      case NetOp.OpenDatagram:
        response = { id: sockets.openDatagram() };
        break;
      case NetOp.Resolve:
        response = { id: sockets.resolve(request.host) };
        break;
      case NetOp.Send:
        sockets.send(request.id, request.bytes, request.address, request.port);
        break;
      case NetOp.Close:
        sockets.close(request.id);
        break;
      case NetOp.Settle:
        response = { events: await sockets.settle() };
        break;
      case NetOp.CloseAll:
        sockets.closeAll();
        break;
    }
    return encodeResponse({ busy: sockets.busy(), open: sockets.openCount(), ...response });
  };
}
