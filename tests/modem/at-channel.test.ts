import { AtChannel, type AtResponse } from '../../drivers/modem/at-channel';
import type { AtUrc } from '../../protocol/at/types';
import { SimWorld } from '../../sim/world/world';
import { START_MS, worldClock } from './harness';
import { ScriptedPort } from '../support/scripted-port';

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

function setup(): { world: SimWorld; port: ScriptedPort; channel: AtChannel; urcs: AtUrc[] } {
  const world = new SimWorld(START_MS);
  const port = new ScriptedPort();
  const channel = new AtChannel(port, worldClock(world));
  const urcs: AtUrc[] = [];
  channel.onUrc((u) => urcs.push(u));
  return { world, port, channel, urcs };
}

async function settled(p: Promise<AtResponse>): Promise<AtResponse> {
  return p;
}

test('a URC that arrives while a command is pending is dispatched; the command still gets its answer', async () => {
  const { port, channel, urcs } = setup();
  const p = channel.command('AT+CSQ', { prefix: '+CSQ' });
  expect(port.sent()).toEqual(['AT+CSQ\r']);
  port.feed('\r\n+QIURC: "recv",1\r\n\r\n+CSQ: 20,99\r\n\r\nOK\r\n');
  const r = await settled(p);
  expect(r.final.kind).toBe('ok');
  expect(r.lines.map((l) => l.text)).toEqual(['+CSQ: 20,99']);
  expect(urcs).toEqual([{ type: 'recv', service: 'tcpip', connectId: 1 }]);
});

test('the pending command owns lines with its prefix, even a head that is also a URC (+CEREG)', async () => {
  const { port, channel, urcs } = setup();
  const p = channel.command('AT+CEREG?', { prefix: '+CEREG' });
  port.feed('\r\n+CEREG: 2,1,"1A2B","01A2B3C4",8\r\n\r\nOK\r\n');
  expect((await p).lines.map((l) => l.text)).toEqual(['+CEREG: 2,1,"1A2B","01A2B3C4",8']);
  expect(urcs).toEqual([]);
  port.feed('\r\n+CEREG: 5,"1A2B","01A2B3C4",8\r\n');
  expect(urcs).toEqual([{ type: 'registration', registration: { kind: 'CEREG', stat: 5, registered: true, area: '1A2B', cellId: '01A2B3C4', act: 8 } }]);
});

test('AT+QISEND: the payload goes out only after the > prompt, SEND OK ends the command', async () => {
  const { port, channel } = setup();
  const p = channel.command('AT+QISEND=0,5', { payload: Uint8Array.from([0x0d, 0x0a, 0x3e, 0x20, 0x00]) });
  expect(port.written).toHaveLength(1);
  port.feed('\r\n> ');
  expect(port.written).toHaveLength(2);
  expect([...port.written[1]]).toEqual([0x0d, 0x0a, 0x3e, 0x20, 0x00]);
  port.feed('\r\nSEND OK\r\n');
  expect((await p).final.kind).toBe('send-ok');
});

test('AT+QIRD: binary data holding CR LF and "OK" reaches the caller intact', async () => {
  const { port, channel } = setup();
  const p = channel.command('AT+QIRD=0,1500', { prefix: '+QIRD' });
  const data = '\r\nOK\r\n\x00\xff>';
  port.feed(`\r\n+QIRD: ${data.length}\r\n${data}\r\n\r\nOK\r\n`);
  const r = await p;
  expect(r.final.kind).toBe('ok');
  expect(r.lines).toHaveLength(1);
  expect(text(r.lines[0].data as Uint8Array)).toBe(data);
});

test('AT+QFUPL: the file goes out after CONNECT; the command ends at the OK that follows', async () => {
  const { port, channel } = setup();
  const p = channel.command('AT+QFUPL="UFS:a",3,5', { upload: Uint8Array.of(1, 2, 3), prefix: '+QFUPL' });
  port.feed('\r\nCONNECT\r\n');
  expect([...port.written[1]]).toEqual([1, 2, 3]);
  port.feed('\r\n+QFUPL: 3,302\r\n\r\nOK\r\n');
  const r = await p;
  expect(r.final.kind).toBe('ok');
  expect(r.lines.map((l) => l.text)).toEqual(['+QFUPL: 3,302']);
});

test('commands are written one at a time, in order', async () => {
  const { port, channel } = setup();
  const a = channel.command('AT+CGSN', { bare: true });
  const b = channel.command('AT+QGMR', { bare: true });
  expect(port.sent()).toEqual(['AT+CGSN\r']);
  port.feed('\r\n864475041522664\r\n\r\nOK\r\n');
  expect(port.sent()).toEqual(['AT+CGSN\r', 'AT+QGMR\r']);
  port.feed('AT+QGMR\r\r\nBG95M3LAR02A03_01.005.01.005\r\n\r\nOK\r\n');
  expect((await a).lines.map((l) => l.text)).toEqual(['864475041522664']);
  expect((await b).lines.map((l) => l.text)).toEqual(['BG95M3LAR02A03_01.005.01.005']);
});

test('noise, stray final results and malformed URCs are counted as garbage, not taken as answers', async () => {
  const { port, channel, urcs } = setup();
  port.feed('\r\n#~%&\r\n\r\nOK\r\n\r\n+QIURC: "recv"\r\n\xff\xfe\r\n');
  expect(channel.stats.garbage).toBe(4);
  expect(channel.stats.badUrcs).toBe(1);
  expect(urcs).toEqual([]);
  const p = channel.command('AT+CSQ', { prefix: '+CSQ' });
  port.feed('\r\n!!@@\r\n+CSQ: 31,99\r\n\r\nOK\r\n');
  expect((await p).lines.map((l) => l.text)).toEqual(['+CSQ: 31,99']);
  expect(channel.stats.garbage).toBe(5);
});

test('no final result within the timeout: the command ends with timeout and the queue moves on', async () => {
  const { world, port, channel } = setup();
  const a = channel.command('AT+COPS=0', { timeoutMs: 180_000 });
  const b = channel.command('AT');
  await world.runUntil(START_MS + 179_999);
  expect(port.sent()).toEqual(['AT+COPS=0\r']);
  await world.runUntil(START_MS + 180_000);
  expect((await a).final.kind).toBe('timeout');
  expect(port.sent()).toEqual(['AT+COPS=0\r', 'AT\r']);
  port.feed('\r\nOK\r\n');
  expect((await b).final.kind).toBe('ok');
  expect(channel.stats.timeouts).toBe(1);
});

test('+CME ERROR carries its numeric code', async () => {
  const { port, channel } = setup();
  const p = channel.command('AT+CPIN="0000"');
  port.feed('\r\n+CME ERROR: 16\r\n');
  expect((await p).final).toEqual({ kind: 'cme', code: 16, text: '+CME ERROR: 16' });
});

test('abort ends the in-flight and queued commands (power lost)', async () => {
  const { channel } = setup();
  const a = channel.command('AT+CSQ');
  const b = channel.command('AT+CREG?');
  channel.abort('modem off');
  expect((await a).final).toEqual({ kind: 'aborted', text: 'modem off' });
  expect((await b).final.kind).toBe('aborted');
  expect(channel.pending()).toBe(0);
});
