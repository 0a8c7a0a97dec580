import type { HostSocketEvent, HostSocketId } from '../net/types';

/**
 * The replies the local servers owe the box, read from what the box sent them (host sockets see the
 * cleartext: TLS ends in Node's tls, inside the simulator). A settle waits until none is owed, so a
 * reply reaches the emulated modem in the settle that follows its request, whatever the real
 * latency; and when none is owed it has nothing to wait for.
 *
 * - FTP control (RFC 959 §4.2): the greeting after connect, then one final reply (2xx–5xx, after
 *   any 1xx) per command line; a multi-line reply runs from `ddd-` to `ddd `. The data connection
 *   of a PASV (227) or EPSV (RFC 2428, 229) reply: for RETR, LIST, NLST and MLSD the server's data
 *   until it closes the data socket; for STOR, APPE and STOU the final reply is owed only once the
 *   box has closed the data socket (the server answers the end of the upload).
 * - MQTT 3.1.1 (§3): CONNACK, SUBACK, UNSUBACK, PINGRESP, PUBACK/PUBREC/PUBCOMP for what the box
 *   sent; after DISCONNECT, the broker's close.
 * - SNTP (RFC 4330 §5): one reply datagram per client request (mode 3). A lost datagram is a fault
 *   the emulator injects before it sends, never a loss of the loopback.
 *
 * A stream is FTP when it goes to a declared FTP port, or when the server speaks first with an FTP
 * reply; MQTT when its first packet from the box is a CONNECT. Any other stream owes nothing here,
 * and neither does one to a server declared deaf (a test's server that never answers on purpose).
 */
export interface OwedPorts {
  /** Ports of FTP (and implicit FTPS) control connections: their greeting is owed at connect. */
  readonly ftp?: readonly number[];
}

const LF = 0x0a;
const CR = 0x0d;
/** RFC 959 §4.2: three digits, then a space (last line) or a hyphen (a multi-line reply goes on). */
const REPLY_CODE_CHARS = 3;
const PRELIMINARY_MAX = 199;
const ERROR_MIN = 400;
const HYPHEN = '-';
const DOWNLOADS: readonly string[] = ['RETR', 'LIST', 'NLST', 'MLSD'];
const UPLOADS: readonly string[] = ['STOR', 'APPE', 'STOU'];
const PASV_OK = 227;
const EPSV_OK = 229;
const PORT_HIGH = 256;

/** MQTT 3.1.1 §2.2.1 control packet types. */
const MQTT = { connect: 1, connack: 2, publish: 3, puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7, subscribe: 8, suback: 9, unsubscribe: 10, unsuback: 11, pingreq: 12, pingresp: 13, disconnect: 14 } as const;
const MQTT_REQUESTS: readonly number[] = [MQTT.connect, MQTT.subscribe, MQTT.unsubscribe, MQTT.pingreq, MQTT.pubrel];
const MQTT_ANSWERS: readonly number[] = [MQTT.connack, MQTT.puback, MQTT.pubrec, MQTT.pubcomp, MQTT.suback, MQTT.unsuback, MQTT.pingresp];
const MQTT_TYPE_SHIFT = 4;
const MQTT_QOS_MASK = 0x06;
const MQTT_LENGTH_BYTES_MAX = 4;
const MQTT_CONTINUATION = 0x80;
const MQTT_LENGTH_BITS = 0x7f;
const MQTT_LENGTH_SHIFT = 7;

/** RFC 4330 §4: a 48-byte header whose low three bits of byte 0 are the mode; 3 is a client request. */
const NTP_HEADER_BYTES = 48;
const NTP_MODE_MASK = 0x07;
const NTP_MODE_CLIENT = 3;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Complete lines of a byte stream (without CR LF); the rest waits for more bytes. */
class Lines {
  private pending = new Uint8Array(0);

  push(bytes: Uint8Array): string[] {
    const buf = concat(this.pending, bytes);
    const lines: string[] = [];
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      if (buf[i] !== LF) continue;
      const end = i > start && buf[i - 1] === CR ? i - 1 : i;
      lines.push(String.fromCharCode(...buf.subarray(start, end)));
      start = i + 1;
    }
    this.pending = buf.slice(start);
    return lines;
  }
}

function replyCode(line: string): number | undefined {
  if (line.length < REPLY_CODE_CHARS) return undefined;
  const code = Number(line.slice(0, REPLY_CODE_CHARS));
  if (!Number.isInteger(code) || line.slice(0, REPLY_CODE_CHARS).trim().length !== REPLY_CODE_CHARS) return undefined;
  const sep = line.charAt(REPLY_CODE_CHARS);
  return sep === ' ' || sep === HYPHEN || sep === '' ? code : undefined;
}

/** The data port a PASV or EPSV reply names. */
function passivePort(code: number, line: string): number | undefined {
  if (code === PASV_OK) {
    const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(line);
    return m === null ? undefined : Number(m[5]) * PORT_HIGH + Number(m[6]);
  }
  if (code === EPSV_OK) {
    const m = /\|\|\|(\d+)\|/.exec(line);
    return m === null ? undefined : Number(m[1]);
  }
  return undefined;
}

interface FtpCommand {
  readonly verb: string;
  /** A 1xx reply came. */
  preliminary: boolean;
  /** STOR and the like: the data connection the final reply waits for the box to close. */
  upload?: FtpData;
}

interface FtpData {
  /** A download runs on it: the server's close is owed. */
  download: boolean;
  /** The server closed it, or the box did: nothing more comes on it. */
  done: boolean;
}

/** One FTP control connection (RFC 959 §4.2 replies, §5.3 commands). */
class FtpControl {
  readonly kind = 'ftp';
  private readonly up = new Lines();
  private readonly down = new Lines();
  private greetingOwed: boolean;
  private readonly commands: FtpCommand[] = [];
  /** The code of a multi-line reply under way. */
  private multiline: number | undefined;
  /** A passive reply named this port and no data connection has gone to it yet. */
  dataPort: number | undefined;
  /** The data connection of the current passive reply. */
  data: FtpData | undefined;

  constructor(greetingOwed: boolean) {
    this.greetingOwed = greetingOwed;
  }

  sent(bytes: Uint8Array): void {
    for (const line of this.up.push(bytes)) {
      const verb = line.split(' ')[0].toUpperCase();
      const command: FtpCommand = { verb, preliminary: false };
      const data = this.data;
      if (data !== undefined && DOWNLOADS.includes(verb)) data.download = true;
      if (data !== undefined && UPLOADS.includes(verb)) command.upload = data;
      this.commands.push(command);
    }
  }

  received(bytes: Uint8Array): void {
    for (const line of this.down.push(bytes)) {
      const code = replyCode(line);
      if (this.multiline !== undefined) {
        if (code === this.multiline && line.charAt(REPLY_CODE_CHARS) !== HYPHEN) {
          this.multiline = undefined;
          this.reply(code, line);
        }
        continue;
      }
      if (code === undefined) continue;
      if (line.charAt(REPLY_CODE_CHARS) === HYPHEN) this.multiline = code;
      else this.reply(code, line);
    }
  }

  /** A data connection went to the port of the last passive reply; a transfer command may be out already. */
  link(): FtpData {
    const data: FtpData = { download: false, done: false };
    this.dataPort = undefined;
    this.data = data;
    for (const c of this.commands) {
      if (DOWNLOADS.includes(c.verb)) data.download = true;
      if (UPLOADS.includes(c.verb)) c.upload = data;
    }
    return data;
  }

  owed(): string | undefined {
    if (this.greetingOwed) return 'the FTP greeting';
    const head = this.commands[0];
    if (head !== undefined) {
      // The final reply to an upload answers the box's close of the data connection.
      if (head.upload !== undefined && head.preliminary && !head.upload.done) return undefined;
      return `the FTP reply to ${head.verb}`;
    }
    return undefined;
  }

  private reply(code: number, line: string): void {
    const head = this.commands[0];
    if (code <= PRELIMINARY_MAX) {
      if (head !== undefined) head.preliminary = true;
      return;
    }
    if (head === undefined) {
      this.greetingOwed = false;
      return;
    }
    this.commands.shift();
    const port = passivePort(code, line);
    if (port !== undefined) {
      this.dataPort = port;
      this.data = undefined;
    }
    // A refused transfer sends nothing on the data connection.
    if (code >= ERROR_MIN && this.data !== undefined && (DOWNLOADS.includes(head.verb) || UPLOADS.includes(head.verb))) this.data.download = false;
  }
}

/** A data connection of an FTP control connection. */
class FtpDataSocket {
  readonly kind = 'ftp-data';
  constructor(readonly data: FtpData) {}

  owed(): string | undefined {
    return this.data.download && !this.data.done ? 'the FTP data of a download' : undefined;
  }
}

/** The packet types of one direction of an MQTT byte stream (§2.2 fixed header, remaining length). */
export class MqttPackets {
  private pending = new Uint8Array(0);

  push(bytes: Uint8Array): { readonly type: number; readonly qos: number }[] {
    const buf = concat(this.pending, bytes);
    const out: { type: number; qos: number }[] = [];
    let at = 0;
    for (;;) {
      let length = 0;
      let i = 1;
      let complete = false;
      for (; i <= MQTT_LENGTH_BYTES_MAX && at + i < buf.length; i++) {
        const b = buf[at + i];
        length |= (b & MQTT_LENGTH_BITS) << (MQTT_LENGTH_SHIFT * (i - 1));
        if ((b & MQTT_CONTINUATION) === 0) {
          complete = true;
          break;
        }
      }
      const end = at + i + 1 + length;
      if (!complete || end > buf.length) break;
      out.push({ type: buf[at] >> MQTT_TYPE_SHIFT, qos: (buf[at] & MQTT_QOS_MASK) >> 1 });
      at = end;
    }
    this.pending = buf.slice(at);
    return out;
  }
}

/** One MQTT connection of the box. */
class MqttConnection {
  readonly kind = 'mqtt';
  private readonly up = new MqttPackets();
  private readonly down = new MqttPackets();
  private answers = 0;
  private disconnected = false;

  sent(bytes: Uint8Array): void {
    for (const p of this.up.push(bytes)) {
      if (MQTT_REQUESTS.includes(p.type) || (p.type === MQTT.publish && p.qos > 0)) this.answers++;
      if (p.type === MQTT.disconnect) this.disconnected = true;
    }
  }

  received(bytes: Uint8Array): void {
    for (const p of this.down.push(bytes)) if (MQTT_ANSWERS.includes(p.type)) this.answers = Math.max(0, this.answers - 1);
  }

  owed(): string | undefined {
    if (this.answers > 0) return `${this.answers} MQTT answer(s)`;
    return this.disconnected ? "the broker's close after DISCONNECT" : undefined;
  }
}

/** A stream not classified yet: what it carries shows in its first bytes. */
class Unknown {
  readonly kind = 'unknown';
  boxSpoke = false;
  owed(): string | undefined {
    return undefined;
  }
}

/** A UDP socket: SNTP requests owe a reply each. */
class Datagrams {
  readonly kind = 'udp';
  requests = 0;
  owed(): string | undefined {
    return this.requests > 0 ? `${this.requests} SNTP reply(ies)` : undefined;
  }
}

/** A stream to a server that never answers on purpose. */
class Deaf {
  readonly kind = 'deaf';
  owed(): string | undefined {
    return undefined;
  }
}

type Tracked = FtpControl | FtpDataSocket | MqttConnection | Unknown | Datagrams | Deaf;

export class OwedReplies {
  private readonly sockets = new Map<HostSocketId, Tracked>();
  private readonly ports = new Map<HostSocketId, number>();
  private readonly deafPorts = new Set<number>();
  private readonly ftpPorts: Set<number>;

  constructor(declared: OwedPorts = {}) {
    this.ftpPorts = new Set(declared.ftp ?? []);
  }

  /** An FTP server listens on `port`: a connection to it owes the greeting. */
  ftp(port: number): void {
    this.ftpPorts.add(port);
  }

  /** The server on `port` is made never to answer (a fault a test injects): nothing is owed by it. */
  deaf(port: number): void {
    this.deafPorts.add(port);
  }

  openedStream(id: HostSocketId, port: number): void {
    this.ports.set(id, port);
    if (this.deafPorts.has(port)) {
      this.sockets.set(id, new Deaf());
      return;
    }
    for (const t of this.sockets.values()) {
      if (t instanceof FtpControl && t.dataPort === port) {
        this.sockets.set(id, new FtpDataSocket(t.link()));
        return;
      }
    }
    this.sockets.set(id, this.ftpPorts.has(port) ? new FtpControl(true) : new Unknown());
  }

  openedDatagram(id: HostSocketId): void {
    this.sockets.set(id, new Datagrams());
  }

  sent(id: HostSocketId, bytes: Uint8Array): void {
    let t = this.sockets.get(id);
    if (t instanceof Unknown && !t.boxSpoke) {
      t.boxSpoke = true;
      if (bytes.length > 0 && bytes[0] >> MQTT_TYPE_SHIFT === MQTT.connect) {
        t = new MqttConnection();
        this.sockets.set(id, t);
      }
    }
    if (t instanceof FtpControl || t instanceof MqttConnection) t.sent(bytes);
    else if (t instanceof Datagrams && bytes.length >= NTP_HEADER_BYTES && (bytes[0] & NTP_MODE_MASK) === NTP_MODE_CLIENT) t.requests++;
  }

  received(e: HostSocketEvent): void {
    let t = this.sockets.get(e.id);
    if (t === undefined) return;
    if (e.type === 'end' || e.type === 'error') {
      this.gone(e.id);
      return;
    }
    if (e.type !== 'data') return;
    if (t instanceof Unknown && !t.boxSpoke && replyCode(String.fromCharCode(...e.bytes.subarray(0, REPLY_CODE_CHARS + 1))) !== undefined) {
      t = new FtpControl(true);
      this.sockets.set(e.id, t);
    }
    if (t instanceof FtpControl || t instanceof MqttConnection) t.received(e.bytes);
    else if (t instanceof Datagrams) t.requests = Math.max(0, t.requests - 1);
  }

  /** The box closed the socket: nothing more is owed on it. */
  closed(id: HostSocketId): void {
    this.gone(id);
  }

  /** The first reply still owed, named for an error message; undefined when none is. */
  owed(): string | undefined {
    for (const [id, t] of this.sockets) {
      const what = t.owed();
      if (what !== undefined) return `${what} (socket ${id}${this.ports.has(id) ? `, port ${this.ports.get(id)}` : ''})`;
    }
    return undefined;
  }

  private gone(id: HostSocketId): void {
    const t = this.sockets.get(id);
    if (t instanceof FtpDataSocket) t.data.done = true;
    this.sockets.delete(id);
    this.ports.delete(id);
  }
}
