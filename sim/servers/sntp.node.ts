import * as dgram from 'node:dgram';

/** RFC 4330 §4: NTP era 0 starts 1900-01-01, 2 208 988 800 s before the Unix epoch. */
const NTP_UNIX_OFFSET_S = 2_208_988_800;
const PACKET_BYTES = 48;
const LI_VN_MODE_SERVER = (0 << 6) | (4 << 3) | 4;
const MODE_MASK = 0x07;
const MODE_CLIENT = 3;
const STRATUM = 1;
const POLL = 6;
const PRECISION = -20;
const REFERENCE_ID = 'SIM\0';
const TRANSMIT_OFFSET = 40;
const ORIGINATE_OFFSET = 24;
const RECEIVE_OFFSET = 32;
const REFERENCE_OFFSET = 16;
const FRACTION = 2 ** 32;

function writeTimestamp(buf: Buffer, offset: number, ms: number): void {
  const seconds = Math.floor(ms / 1000);
  buf.writeUInt32BE((seconds + NTP_UNIX_OFFSET_S) >>> 0, offset);
  buf.writeUInt32BE(Math.floor(((ms % 1000) / 1000) * FRACTION) >>> 0, offset + 4);
}

export interface SntpServer {
  readonly port: number;
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * A stratum-1 SNTP server on 127.0.0.1 whose clock is the simulation's true (virtual) time, so
 * the concentrator's drifting RTC can be corrected as it would be by a real server.
 */
export async function startSntpServer(now: () => number): Promise<SntpServer> {
  const socket = dgram.createSocket('udp4');
  let requests = 0;
  socket.on('message', (msg, rinfo) => {
    if (msg.length < PACKET_BYTES || (msg[0] & MODE_MASK) !== MODE_CLIENT) return;
    requests++;
    const t = now();
    const reply = Buffer.alloc(PACKET_BYTES);
    reply[0] = LI_VN_MODE_SERVER;
    reply[1] = STRATUM;
    reply[2] = POLL;
    reply.writeInt8(PRECISION, 3);
    reply.write(REFERENCE_ID, 12, 'latin1');
    writeTimestamp(reply, REFERENCE_OFFSET, t);
    msg.copy(reply, ORIGINATE_OFFSET, TRANSMIT_OFFSET, TRANSMIT_OFFSET + 8);
    writeTimestamp(reply, RECEIVE_OFFSET, t);
    writeTimestamp(reply, TRANSMIT_OFFSET, t);
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    get requests() {
      return requests;
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
