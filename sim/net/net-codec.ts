import { utf8Decode, utf8Encode } from '../../protocol/text/utf8';
import type { HostSocketEvent, HostSocketId, HostStreamRequest } from './types';

/**
 * The `net` channel of the XS host bridge: compact binary messages (big-endian integers,
 * u16-length strings, u32-length byte strings) so socket payloads cross without re-encoding.
 *
 * Request: u8 op, then the op's fields. Response: u8 busy, u16 open connections, then the op's
 * result (a u32 id for opens and lookups, the event list for settle).
 */
export const NET_CHANNEL = 'net';

export const NetOp = { OpenStream: 1, OpenDatagram: 2, Resolve: 3, Send: 4, Close: 5, Settle: 6, CloseAll: 7 } as const;
export type NetOp = (typeof NetOp)[keyof typeof NetOp];

const EventType = { Open: 1, Data: 2, End: 3, Error: 4, Resolved: 5 } as const;
type EventType = (typeof EventType)[keyof typeof EventType];

const FLAG_TLS = 1;
const FLAG_VERIFY = 2;
const FLAG_SERVER_NAME = 4;
const FLAG_CA = 8;

export type NetRequest =
  | { readonly op: typeof NetOp.OpenStream; readonly request: HostStreamRequest }
  | { readonly op: typeof NetOp.OpenDatagram }
  | { readonly op: typeof NetOp.Resolve; readonly host: string }
  | { readonly op: typeof NetOp.Send; readonly id: HostSocketId; readonly bytes: Uint8Array; readonly address?: string; readonly port?: number }
  | { readonly op: typeof NetOp.Close; readonly id: HostSocketId }
  | { readonly op: typeof NetOp.Settle }
  | { readonly op: typeof NetOp.CloseAll };

export interface NetResponse {
  readonly busy: boolean;
  readonly open: number;
  readonly id?: HostSocketId;
  readonly events?: readonly HostSocketEvent[];
}

class Writer {
  private buf = new Uint8Array(64);
  private at = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.at++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.buf[this.at++] = (v >> 8) & 0xff;
    this.buf[this.at++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.buf[this.at++] = (v >>> 24) & 0xff;
    this.buf[this.at++] = (v >>> 16) & 0xff;
    this.buf[this.at++] = (v >>> 8) & 0xff;
    this.buf[this.at++] = v & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.u32(b.length);
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
    return this;
  }

  str(s: string): this {
    const b = utf8Encode(s);
    this.u16(b.length);
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
    return this;
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.at);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly buf: Uint8Array) {}

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new RangeError('net message truncated');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++];
  }

  u16(): number {
    this.need(2);
    const v = (this.buf[this.at] << 8) | this.buf[this.at + 1];
    this.at += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const b = this.buf;
    const v = ((b[this.at] << 24) | (b[this.at + 1] << 16) | (b[this.at + 2] << 8) | b[this.at + 3]) >>> 0;
    this.at += 4;
    return v;
  }

  bytes(): Uint8Array {
    const n = this.u32();
    this.need(n);
    const out = this.buf.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  str(): string {
    const n = this.u16();
    this.need(n);
    const s = utf8Decode(this.buf, this.at, this.at + n);
    this.at += n;
    return s;
  }
}

export function encodeRequest(r: NetRequest): Uint8Array {
  const w = new Writer().u8(r.op);
  switch (r.op) {
    case NetOp.OpenStream: {
      const t = r.request.tls;
      let flags = 0;
      if (t !== undefined) {
        flags |= FLAG_TLS;
        if (t.verify) flags |= FLAG_VERIFY;
        if (t.serverName !== undefined) flags |= FLAG_SERVER_NAME;
        if (t.ca !== undefined) flags |= FLAG_CA;
      }
      w.str(r.request.host).u16(r.request.port).u8(flags);
      if (t?.serverName !== undefined) w.str(t.serverName);
      if (t?.ca !== undefined) w.bytes(t.ca);
      break;
    }
    case NetOp.Resolve:
      w.str(r.host);
      break;
    case NetOp.Send:
      w.u32(r.id).bytes(r.bytes);
      if (r.address !== undefined && r.port !== undefined) w.u8(1).str(r.address).u16(r.port);
      else w.u8(0);
      break;
    case NetOp.Close:
      w.u32(r.id);
      break;
    case NetOp.Settle:
    case NetOp.OpenDatagram:
    case NetOp.CloseAll:
      break;
  }
  return w.done();
}

export function decodeRequest(bytes: Uint8Array): NetRequest {
  const r = new Reader(bytes);
  const op = r.u8() as NetOp;
  switch (op) {
    case NetOp.OpenStream: {
      const host = r.str();
      const port = r.u16();
      const flags = r.u8();
      if ((flags & FLAG_TLS) === 0) return { op, request: { host, port } };
      const serverName = (flags & FLAG_SERVER_NAME) !== 0 ? r.str() : undefined;
      const ca = (flags & FLAG_CA) !== 0 ? r.bytes() : undefined;
      const tls = { verify: (flags & FLAG_VERIFY) !== 0, ...(serverName !== undefined ? { serverName } : {}), ...(ca !== undefined ? { ca } : {}) };
      return { op, request: { host, port, tls } };
    }
    case NetOp.OpenDatagram:
    case NetOp.Settle:
    case NetOp.CloseAll:
      return { op };
    case NetOp.Resolve:
      return { op, host: r.str() };
    case NetOp.Send: {
      const id = r.u32();
      const data = r.bytes();
      if (r.u8() === 0) return { op, id, bytes: data };
      const address = r.str();
      return { op, id, bytes: data, address, port: r.u16() };
    }
    case NetOp.Close:
      return { op, id: r.u32() };
    default:
      throw new RangeError(`net: unknown op ${op as number}`);
  }
}

export function encodeResponse(r: NetResponse): Uint8Array {
  const w = new Writer().u8(r.busy ? 1 : 0).u16(Math.min(r.open, 0xffff));
  if (r.id !== undefined) w.u32(r.id);
  if (r.events !== undefined) {
    w.u32(r.events.length);
    for (const e of r.events) {
      switch (e.type) {
        case 'open':
          w.u8(EventType.Open).u32(e.id);
          break;
        case 'data':
          w.u8(EventType.Data).u32(e.id).bytes(e.bytes);
          if (e.address !== undefined && e.port !== undefined) w.u8(1).str(e.address).u16(e.port);
          else w.u8(0);
          break;
        case 'end':
          w.u8(EventType.End).u32(e.id);
          break;
        case 'error':
          w.u8(EventType.Error).u32(e.id).str(e.message);
          break;
        case 'resolved':
          w.u8(EventType.Resolved).u32(e.id);
          if (e.address !== undefined) w.u8(1).str(e.address);
          else w.u8(0).str(e.error ?? 'lookup failed');
          break;
      }
    }
  }
  return w.done();
}

/** `withId`: the op answers an id; `withEvents`: the op answers events (settle). */
export function decodeResponse(bytes: Uint8Array, withId: boolean, withEvents: boolean): NetResponse {
  const r = new Reader(bytes);
  const busy = r.u8() !== 0;
  const open = r.u16();
  const id = withId ? r.u32() : undefined;
  if (!withEvents) return id === undefined ? { busy, open } : { busy, open, id };
  const n = r.u32();
  const events: HostSocketEvent[] = [];
  for (let i = 0; i < n; i++) {
    const type = r.u8() as EventType;
    const eid = r.u32();
    switch (type) {
      case EventType.Open:
        events.push({ type: 'open', id: eid });
        break;
      case EventType.Data: {
        const data = r.bytes();
        if (r.u8() === 0) events.push({ type: 'data', id: eid, bytes: data });
        else {
          const address = r.str();
          events.push({ type: 'data', id: eid, bytes: data, address, port: r.u16() });
        }
        break;
      }
      case EventType.End:
        events.push({ type: 'end', id: eid });
        break;
      case EventType.Error:
        events.push({ type: 'error', id: eid, message: r.str() });
        break;
      case EventType.Resolved:
        events.push(r.u8() === 1 ? { type: 'resolved', id: eid, address: r.str() } : { type: 'resolved', id: eid, error: r.str() });
        break;
      default:
        throw new RangeError(`net: unknown event ${type as number}`);
    }
  }
  return id === undefined ? { busy, open, events } : { busy, open, id, events };
}
