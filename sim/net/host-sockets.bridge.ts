import type { HostBridge } from '../xs/types';
import { NET_CHANNEL, NetOp, decodeResponse, encodeRequest, type NetRequest, type NetResponse } from './net-codec';
import type { HostSocketEvent, HostSocketId, HostSockets, HostStreamRequest } from './types';

/**
 * `HostSockets` for the XS run: every operation is a synchronous `HostBridge.call` on the `net`
 * channel, answered by `host-sockets-server.node.ts` on the Node side. `settle` blocks in the
 * bridge call while the host waits for the real sockets, so the XS world stands still meanwhile.
 */
export class HostSocketsBridge implements HostSockets {
  private hostBusy = false;
  private open = 0;
  /** An operation went out since the last settle: its outcome is still to be collected. */
  private dirty = false;

  constructor(private readonly bridge: HostBridge, private readonly channel: string = NET_CHANNEL) {}

  openStream(request: HostStreamRequest): HostSocketId {
    return this.callForId({ op: NetOp.OpenStream, request });
  }

  openDatagram(): HostSocketId {
    return this.callForId({ op: NetOp.OpenDatagram });
  }

  resolve(host: string): HostSocketId {
    return this.callForId({ op: NetOp.Resolve, host });
  }

  send(id: HostSocketId, bytes: Uint8Array, address?: string, port?: number): void {
    this.call(
      address !== undefined && port !== undefined ? { op: NetOp.Send, id, bytes, address, port } : { op: NetOp.Send, id, bytes },
      false,
      false,
    );
  }

  close(id: HostSocketId): void {
    this.call({ op: NetOp.Close, id }, false, false);
  }

  busy(): boolean {
    return this.dirty || this.hostBusy;
  }

  openCount(): number {
    return this.open;
  }

  settle(): Promise<HostSocketEvent[]> {
    const r = this.call({ op: NetOp.Settle }, false, true);
    this.dirty = false;
    return Promise.resolve([...(r.events ?? [])]);
  }

  closeAll(): void {
    this.call({ op: NetOp.CloseAll }, false, false);
  }

  private callForId(request: NetRequest): HostSocketId {
    const r = this.call(request, true, false);
    return r.id as HostSocketId;
  }

  private call(request: NetRequest, withId: boolean, withEvents: boolean): NetResponse {
    const r = decodeResponse(this.bridge.call(this.channel, encodeRequest(request)), withId, withEvents);
    this.hostBusy = r.busy;
    this.open = r.open;
    this.dirty = true;
    return r;
  }
}
