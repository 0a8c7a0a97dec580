/** The BG95's SMS service on its AT channel (drivers/modem/sms.ts), against a scripted modem. */
import { AtChannel } from '../../drivers/modem/at-channel';
import { Bg95Sms } from '../../drivers/modem/sms';
import { SimWorld } from '../../sim/world/world';
import { START_MS, worldClock } from '../modem/harness';
import { ScriptedPort } from '../support/scripted-port';

function setup(): { port: ScriptedPort; sms: Bg95Sms } {
  const port = new ScriptedPort();
  const channel = new AtChannel(port, worldClock(new SimWorld(START_MS)));
  return { port, sms: new Bg95Sms(channel) };
}

/** Promise-job turns a scripted answer waits for the driver's next write before it gives up. */
const MAX_TURNS = 1000;

/** Answers the driver's writes in turn: the n-th reply once the n-th write is out. */
async function answer(port: ScriptedPort, replies: readonly string[]): Promise<void> {
  for (let n = 0; n < replies.length; n++) {
    for (let turn = 0; port.written.length <= n; turn++) {
      if (turn === MAX_TURNS) throw new Error(`the driver wrote ${port.written.length} lines, reply ${n + 1} waits for one more`);
      await undefined;
    }
    port.feed(replies[n]);
  }
}

test('prepare: text mode, the GSM character set, +CMTI for new messages', async () => {
  const { port, sms } = setup();
  const done = sms.prepare();
  await answer(port, ['\r\nOK\r\n', '\r\nOK\r\n', '\r\nOK\r\n']);
  expect(await done).toBe(true);
  expect(port.sent()).toEqual(['AT+CMGF=1\r', 'AT+CSCS="GSM"\r', 'AT+CNMI=2,1,0,0,0\r']);
});

test('list: every stored message with its body; a +CMTI arriving meanwhile is not taken for one', async () => {
  const { port, sms } = setup();
  const listed = sms.list();
  await answer(port, [
    '\r\n+CMGL: 1,"REC UNREAD","+33612345678",,"26/12/04,10:15:32+04"\r\nWE_000123 request\r\n' +
      '+CMTI: "SM",2\r\n' +
      '+CMGL: 3,"REC READ","+33698765432",,"26/12/04,10:16:01+04"\r\nWE_000123 status\r\n\r\nOK\r\n',
  ]);
  const list = await listed;
  expect(port.sent()).toEqual(['AT+CMGL="ALL"\r']);
  expect(list.errors).toEqual([]);
  expect(list.messages.map((m) => [m.index, m.sender, m.text])).toEqual([
    [1, '+33612345678', 'WE_000123 request'],
    [3, '+33698765432', 'WE_000123 status'],
  ]);
});

test('list: a store the modem cannot read is an error, not a crash', async () => {
  const { port, sms } = setup();
  const listed = sms.list();
  await answer(port, ['\r\n+CMS ERROR: 310\r\n']);
  expect(await listed).toEqual({ messages: [], errors: ['AT+CMGL: +CMS ERROR: 310'] });
});

test('delete: AT+CMGD of the index', async () => {
  const { port, sms } = setup();
  const deleted = sms.delete(3);
  await answer(port, ['\r\nOK\r\n']);
  expect(await deleted).toBe(true);
  expect(port.sent()).toEqual(['AT+CMGD=3\r']);
});

test('send: AT+CMGS with the number, the body after the > prompt ended by Ctrl-Z, +CMGS reference', async () => {
  const { port, sms } = setup();
  const sent = sms.send('+33612345678', 'WE_000123 request ok');
  await answer(port, ['\r\n> ', '\r\n+CMGS: 12\r\n\r\nOK\r\n']);
  expect(await sent).toBe(true);
  expect(port.sent()).toEqual(['AT+CMGS="+33612345678"\r', 'WE_000123 request ok\u001a']);
});

test('send: a number with a quote is never written to the modem', async () => {
  const { port, sms } = setup();
  expect(await sms.send('+336"1', 'x')).toBe(false);
  expect(port.written).toEqual([]);
});
