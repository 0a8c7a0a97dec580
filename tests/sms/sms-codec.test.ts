/**
 * SMS in text mode (3GPP TS 27.005 §3) as a BG95 prints it, and the box's SMS command syntax
 * (protocol/sms/command.ts, docs/sms.md).
 */
import { parseCmgs, parseCmglHead, parseCmglList, parseCmti } from '../../protocol/at/sms';
import { normalizeNumber, parseSmsCommand, senderAuthorised, smsReply } from '../../protocol/sms/command';

const UID = 'WE_000123';

describe('TS 27.005 text mode', () => {
  test('+CMTI names the store and the index of a new message', () => {
    expect(parseCmti('+CMTI: "SM",3')).toEqual({ ok: true, value: { memory: 'SM', index: 3 } });
    expect(parseCmti('+CMTI: "ME",')).toMatchObject({ ok: false });
  });

  test('a +CMGL head: index, status, sender and the time stamp with its comma', () => {
    expect(parseCmglHead('+CMGL: 0,"REC READ","+8615021012496",,"13/12/13,15:06:37+32"')).toEqual({
      ok: true,
      value: { index: 0, status: 'REC READ', sender: '+8615021012496', timestamp: '13/12/13,15:06:37+32' },
    });
    expect(parseCmglHead('+CMGL: 4,"REC UNREAD","Operator"')).toEqual({ ok: true, value: { index: 4, status: 'REC UNREAD', sender: 'Operator' } });
  });

  test('a status text mode does not have is refused', () => {
    expect(parseCmglHead('+CMGL: 1,"UNREAD","+33612345678",,"26/12/04,10:15:32+04"')).toMatchObject({ ok: false });
  });

  test('a list: each head with the body on the next line; a truncated head is reported and the rest kept', () => {
    const lines = [
      '+CMGL: 1,"REC UNREAD","+33612345678",,"26/12/04,10:15:32+04"',
      'WE_000123 request',
      '+CMGL: 2,"REC UNREAD","+336',
      '+CMGL: 3,"REC READ","+33698765432",,"26/12/04,10:16:01+04"',
      'WE_000123 status',
    ];
    const list = parseCmglList(lines);
    expect(list.messages.map((m) => [m.index, m.sender, m.text])).toEqual([
      [1, '+33612345678', 'WE_000123 request'],
      [3, '+33698765432', 'WE_000123 status'],
    ]);
    expect(list.errors).toHaveLength(1);
    expect(list.errors[0]).toMatch(/^line 2: .*unterminated string/);
  });

  test('a head with no body line gets an empty body', () => {
    expect(parseCmglList(['+CMGL: 5,"REC UNREAD","+33612345678",,"26/12/04,10:15:32+04"']).messages[0].text).toBe('');
  });

  test('+CMGS gives the message reference', () => {
    expect(parseCmgs('+CMGS: 12')).toEqual({ ok: true, value: 12 });
  });
});

describe('the SMS command syntax', () => {
  test('"<uid> <command>": the command by its name, in any case', () => {
    expect(parseSmsCommand('WE_000123 request', UID)).toEqual({ ok: true, command: 'request' });
    expect(parseSmsCommand('WE_000123 ConfigGet', UID)).toEqual({ ok: true, command: 'configGet' });
    expect(parseSmsCommand('  WE_000123   factory ', UID)).toEqual({ ok: true, command: 'factory' });
    expect(parseSmsCommand('WE_000123 status', UID)).toEqual({ ok: true, command: 'status' });
  });

  test('another box\'s uid does nothing', () => {
    expect(parseSmsCommand('WE_000124 factory', UID)).toEqual({ ok: false, error: 'not for this box (expected "WE_000123 <command>")' });
    expect(parseSmsCommand('we_000123 factory', UID)).toMatchObject({ ok: false });
  });

  test('a command that needs a file, or no command, or two, is refused with the syntax', () => {
    expect(parseSmsCommand('WE_000123 firmware', UID)).toMatchObject({ ok: false, error: expect.stringMatching(/^unknown command "firmware" \(known: request, diag, /) });
    expect(parseSmsCommand('WE_000123', UID)).toEqual({ ok: false, error: 'expected "WE_000123 <command>", one command' });
    expect(parseSmsCommand('WE_000123 request diag', UID)).toMatchObject({ ok: false });
    expect(parseSmsCommand('', UID)).toEqual({ ok: false, error: 'empty; send "WE_000123 <command>"' });
  });

  test('a body that is not plain text is refused, never guessed; a UCS2 body (hex digits in text mode) is not a command', () => {
    expect(parseSmsCommand('00570045005F', UID)).toMatchObject({ ok: false, error: 'not for this box (expected "WE_000123 <command>")' });
    expect(parseSmsCommand('WE_000123 r\u00e9quest', UID)).toEqual({ ok: false, error: 'not plain text (character 233 at 11); send "WE_000123 <command>"' });
    expect(parseSmsCommand('WE_000123 request\u0000', UID)).toMatchObject({ ok: false });
    expect(parseSmsCommand('x'.repeat(200), UID)).toEqual({ ok: false, error: 'too long for a command (200 characters)' });
  });

  test('the reply names the box, the command and the outcome, cut to one SMS of plain text', () => {
    expect(smsReply(UID, 'request', true, '')).toBe('WE_000123 request ok');
    expect(smsReply(UID, 'factory', false, 'réfusé')).toBe('WE_000123 factory ko: r?fus?');
    expect(smsReply(UID, 'status', true, 'x'.repeat(300))).toHaveLength(160);
  });
});

describe('authorised numbers (local.whiteList)', () => {
  test('an empty or absent list authorises every number, as the manual says', () => {
    expect(senderAuthorised('+33612345678', null)).toBe(true);
    expect(senderAuthorised('+33612345678', [])).toBe(true);
  });

  test('a listed number is compared on its digits; the + is significant', () => {
    const list = ['+33 6 12 34 56 78', '0698765432'];
    expect(senderAuthorised('+33612345678', list)).toBe(true);
    expect(senderAuthorised('06.98.76.54.32', list)).toBe(true);
    expect(senderAuthorised('33612345678', list)).toBe(false);
    expect(senderAuthorised('+33600000000', list)).toBe(false);
    expect(senderAuthorised('Operator', list)).toBe(false);
    expect(normalizeNumber(' +33 (0)6-12 ')).toBe('+330612');
  });
});
