import { AtChannel, type AtResponse } from '../../protocol/at/channel';
import { classifyFinal } from '../../protocol/at/classify';
import { formatCommand, formatRead } from '../../protocol/at/command';
import { AtLineReader, connectDataLength, type AtReaderEvent } from '../../protocol/at/lines';
import { splitParams } from '../../protocol/at/params';
import {
  parseCclk,
  parseCnum,
  parseCops,
  parseCpin,
  parseCsq,
  parseImei,
  parseModemTime,
  parseQccid,
  parseQcfg,
  parseQcsq,
  parseQiact,
  parseQidnsgip,
  parseQiopen,
  parseQird,
  parseQisend,
  parseQnwinfo,
  parseQsslopen,
  parseQsslrecv,
  parseRegistration,
} from '../../protocol/at/responses';
import type { AtUrc } from '../../protocol/at/types';
import { parseUrc } from '../../protocol/at/urc';
import * as T from './support/bg95-transcripts';
import { ManualClock } from '../fixtures/manual-clock';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

function read(stream: string, chunk = stream.length, options = {}): AtReaderEvent[] {
  const events: AtReaderEvent[] = [];
  const reader = new AtLineReader((e) => events.push(e), options);
  const b = bytes(stream);
  for (let i = 0; i < b.length; i += chunk) reader.push(b.subarray(i, i + chunk));
  return events;
}

function harness() {
  const clock = new ManualClock();
  const written: string[] = [];
  const urcs: { urc: AtUrc; line: string; data?: Uint8Array }[] = [];
  const unexpected: { line: string; reason: string }[] = [];
  const channel = new AtChannel({
    write: (b) => written.push(text(b)),
    onUrc: (urc, line, data) => urcs.push(data ? { urc, line, data } : { urc, line }),
    onUnexpected: (line, reason) => unexpected.push({ line, reason }),
    clock,
  });
  const responses: AtResponse[] = [];
  const send = (command: string, extra: object = {}): void => channel.send({ command, ...extra }, (r) => responses.push(r));
  const feed = (s: string, chunk = s.length): void => {
    const b = bytes(s);
    for (let i = 0; i < b.length; i += chunk) channel.push(b.subarray(i, i + chunk));
  };
  return { clock, written, urcs, unexpected, channel, responses, send, feed };
}

describe('AT line reader', () => {
  test('splits CR LF framed lines and drops the empty ones between them', () => {
    expect(read('\r\n+CSQ: 18,99\r\n\r\nOK\r\n')).toEqual([
      { type: 'line', text: '+CSQ: 18,99' },
      { type: 'line', text: 'OK' },
    ]);
  });

  test('gives the same lines when the bytes arrive one at a time', () => {
    expect(read(T.BOOT, 1)).toEqual(read(T.BOOT));
    expect(read(T.BOOT, 1).map((e) => (e.type === 'line' ? e.text : e.type))).toEqual([
      'RDY', '+CFUN: 1', '+CPIN: READY', '+QUSIM: 1', '+QIND: SMS DONE', 'APP RDY',
    ]);
  });

  test('accepts bare LF and bare CR line ends (echo lines end in CR alone)', () => {
    expect(read('AT+CSQ\r\r\n+CSQ: 5,99\nOK\r')).toEqual([
      { type: 'line', text: 'AT+CSQ' },
      { type: 'line', text: '+CSQ: 5,99' },
      { type: 'line', text: 'OK' },
    ]);
  });

  test('reports the > prompt that has no line end, and swallows its trailing space', () => {
    expect(read('\r\n> ')).toEqual([{ type: 'prompt' }]);
    expect(read('\r\n> \r\nSEND OK\r\n')).toEqual([{ type: 'prompt' }, { type: 'line', text: 'SEND OK' }]);
  });

  test('reads the payload announced by +QIRD: <len> even when it holds CR LF and looks like lines', () => {
    const events = read(T.QIRD_GREETING);
    expect(events).toEqual([
      { type: 'line', text: '+QIRD: 24', data: bytes(T.GREETING) },
      { type: 'line', text: 'OK' },
    ]);
  });

  test('reassembles a payload split across many UART chunks', () => {
    expect(read(T.QIRD_GREETING, 3)).toEqual(read(T.QIRD_GREETING));
    expect(read(T.QIRD_GREETING, 1)).toEqual(read(T.QIRD_GREETING));
  });

  test('keeps a payload byte that is an LF when the header ended in CR LF', () => {
    const events = read('+QIRD: 2\r\n\n\n\r\nOK\r\n', 1);
    expect(events[0]).toEqual({ type: 'line', text: '+QIRD: 2', data: bytes('\n\n') });
  });

  test('passes binary payload bytes (0x00..0xFF) through unchanged', () => {
    const payload = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
    const events = read(`\r\n+QSSLRECV: 256\r\n${payload}\r\nOK\r\n`, 7);
    expect(events[0]).toEqual({ type: 'line', text: '+QSSLRECV: 256', data: bytes(payload) });
  });

  test('+QIRD: 0 carries an empty payload; the counters form carries none', () => {
    expect(read(T.QIRD_EMPTY)[0]).toEqual({ type: 'line', text: '+QIRD: 0', data: new Uint8Array(0) });
    expect(read('\r\n+QIRD: 30,25,5\r\n\r\nOK\r\n')[0]).toEqual({ type: 'line', text: '+QIRD: 30,25,5' });
  });

  test('UDP reads carry the sender after the length', () => {
    expect(read('\r\n+QIRD: 4,"192.0.2.1",123\r\nABCD\r\nOK\r\n')[0]).toEqual({ type: 'line', text: '+QIRD: 4,"192.0.2.1",123', data: bytes('ABCD') });
  });

  test('direct-push recv URCs carry their payload', () => {
    expect(read('\r\n+QIURC: "recv",0,13\r\nHello Finamon')).toEqual([{ type: 'line', text: '+QIURC: "recv",0,13', data: bytes('Hello Finamon') }]);
  });

  test('CONNECT <len> announces a payload only with the connect probe', () => {
    expect(read('\r\nCONNECT 3\r\nabc\r\nOK\r\n')[0]).toEqual({ type: 'line', text: 'CONNECT 3' });
    expect(read('\r\nCONNECT 3\r\nabc\r\nOK\r\n', 100, { dataLength: connectDataLength })[0]).toEqual({ type: 'line', text: 'CONNECT 3', data: bytes('abc') });
  });

  test('drops an overlong line and reports its length, then carries on', () => {
    const events = read(`\r\n${'x'.repeat(40)}\r\nOK\r\n`, 5, { maxLine: 16 });
    expect(events).toEqual([{ type: 'overflow', length: 40 }, { type: 'line', text: 'OK' }]);
  });

  test('keeps a truncated line pending until it is terminated', () => {
    const events: AtReaderEvent[] = [];
    const reader = new AtLineReader((e) => events.push(e));
    reader.push(bytes('\r\n+CSQ: 1'));
    expect(events).toEqual([]);
    expect(reader.pending()).toBe('+CSQ: 1');
    reader.reset();
    expect(reader.pending()).toBe('');
  });

  test('decodes garbage bytes to replacement characters instead of failing', () => {
    const events = read('\r\n\xff\xfe\x80junk\r\nOK\r\n');
    expect(events).toEqual([
      { type: 'line', text: '\ufffd\ufffd\ufffdjunk' },
      { type: 'line', text: 'OK' },
    ]);
  });
});

describe('final result classification', () => {
  test.each([
    ['OK', 'ok', undefined],
    ['ERROR', 'error', undefined],
    ['SEND OK', 'send-ok', undefined],
    ['SEND FAIL', 'send-fail', undefined],
    ['NO CARRIER', 'no-carrier', undefined],
    ['+CME ERROR: 10', 'cme', 10],
    ['+CMS ERROR: 500', 'cms', 500],
    ['CONNECT', 'connect', undefined],
    ['CONNECT 1024', 'connect', 1024],
  ])('%s is a final result of kind %s', (line, kind, code) => {
    const f = classifyFinal(line);
    expect(f?.kind).toBe(kind);
    expect(f?.code).toBe(code);
  });

  test('verbose CME errors keep their text and have no code', () => {
    expect(classifyFinal('+CME ERROR: SIM not inserted')).toEqual({ kind: 'cme', text: '+CME ERROR: SIM not inserted' });
  });

  test.each(['OKAY', '+CSQ: 1,2', 'RDY', 'SEND', 'ERRORS'])('%s is not a final result', (line) => {
    expect(classifyFinal(line)).toBeUndefined();
  });
});

describe('parameter splitting', () => {
  test('keeps commas inside quoted strings and marks quoting', () => {
    expect(splitParams('"dnsgip","a,b", 3')).toEqual({
      ok: true,
      value: [
        { text: 'dnsgip', quoted: true },
        { text: 'a,b', quoted: true },
        { text: '3', quoted: false },
      ],
    });
  });

  test('an unterminated string is an error, not an exception', () => {
    expect(splitParams('"recv,0')).toEqual({ ok: false, error: 'unterminated string at column 0' });
  });

  test('empty parameters stay in place', () => {
    expect(splitParams(',"+336",145')).toEqual({
      ok: true,
      value: [
        { text: '', quoted: false },
        { text: '+336', quoted: true },
        { text: '145', quoted: false },
      ],
    });
  });
});

describe('response parsers on BG95 answers', () => {
  test('+CSQ maps rssi to dBm and 99 to unknown', () => {
    expect(parseCsq('+CSQ: 18,99')).toEqual({ ok: true, value: { rssi: 18, ber: 99, dbm: -77 } });
    expect(parseCsq('+CSQ: 99,99')).toEqual({ ok: true, value: { rssi: 99, ber: 99 } });
  });

  test('+QCSQ eMTC gives RSSI, RSRP, SINR in dB (value/5 − 20) and RSRQ', () => {
    expect(parseQcsq('+QCSQ: "eMTC",-71,-97,156,-11')).toEqual({
      ok: true,
      value: { sysmode: 'eMTC', rssiDbm: -71, rsrpDbm: -97, sinrDb: 11.2, rsrqDb: -11 },
    });
    expect(parseQcsq('+QCSQ: "NBIoT",-55,-62,250,-6')).toMatchObject({ ok: true, value: { sysmode: 'NBIoT', sinrDb: 30 } });
    expect(parseQcsq('+QCSQ: "GSM",-69')).toEqual({ ok: true, value: { sysmode: 'GSM', rssiDbm: -69 } });
    expect(parseQcsq('+QCSQ: "NOSERVICE"')).toEqual({ ok: true, value: { sysmode: 'NOSERVICE' } });
  });

  test('+CEREG read response (with <n>) and URC (without) give the same registration', () => {
    const solicited = parseRegistration('+CEREG: 2,5,"1A2B","01A2B3C4",8');
    const urc = parseRegistration('+CEREG: 5,"1A2B","01A2B3C4",8');
    expect(solicited).toEqual({ ok: true, value: { kind: 'CEREG', n: 2, stat: 5, registered: true, area: '1A2B', cellId: '01A2B3C4', act: 8 } });
    expect(urc).toEqual({ ok: true, value: { kind: 'CEREG', stat: 5, registered: true, area: '1A2B', cellId: '01A2B3C4', act: 8 } });
  });

  test('+CREG / +CGREG short forms; searching is not registered', () => {
    expect(parseRegistration('+CREG: 0,1')).toEqual({ ok: true, value: { kind: 'CREG', n: 0, stat: 1, registered: true } });
    expect(parseRegistration('+CGREG: 2')).toEqual({ ok: true, value: { kind: 'CGREG', stat: 2, registered: false } });
    expect(parseRegistration('+CGREG: 2', true)).toMatchObject({ ok: false });
  });

  test('+COPS with and without an operator', () => {
    expect(parseCops('+COPS: 0,0,"Orange F",8')).toEqual({ ok: true, value: { mode: 0, format: 0, operator: 'Orange F', act: 8 } });
    expect(parseCops('+COPS: 0')).toEqual({ ok: true, value: { mode: 0 } });
  });

  test('+QNWINFO with service and without', () => {
    expect(parseQnwinfo('+QNWINFO: "eMTC","20801","LTE BAND 20",6300')).toEqual({
      ok: true,
      value: { service: true, act: 'eMTC', operator: '20801', band: 'LTE BAND 20', channel: 6300 },
    });
    expect(parseQnwinfo('+QNWINFO: No Service')).toEqual({ ok: true, value: { service: false } });
  });

  test('IMEI bare or prefixed, with its Luhn check digit verified', () => {
    expect(parseImei('867698041234561')).toEqual({ ok: true, value: '867698041234561' });
    expect(parseImei('+CGSN: "352099001761481"')).toEqual({ ok: true, value: '352099001761481' });
    expect(parseImei('867698041234562')).toEqual({ ok: false, error: 'IMEI: check digit mismatch in 867698041234562' });
    expect(parseImei('8676980412')).toMatchObject({ ok: false });
  });

  test('+QCCID, +CNUM, +CPIN, +QIACT', () => {
    expect(parseQccid('+QCCID: 89330123456789012345')).toEqual({ ok: true, value: '89330123456789012345' });
    expect(parseQccid('+QCCID: 8933012345678901234f')).toEqual({ ok: true, value: '8933012345678901234F' });
    expect(parseCnum('+CNUM: "","+33612345678",145')).toEqual({ ok: true, value: { alpha: '', number: '+33612345678', type: 145 } });
    expect(parseCnum('+CNUM: ,"0612345678",129')).toEqual({ ok: true, value: { number: '0612345678', type: 129 } });
    expect(parseCpin('+CPIN: SIM PIN')).toEqual({ ok: true, value: 'SIM PIN' });
    expect(parseCpin('+CPIN: MAYBE')).toEqual({ ok: false, error: "+CPIN: unknown state 'MAYBE'" });
    expect(parseQiact('+QIACT: 1,1,1,"10.170.23.5"')).toEqual({ ok: true, value: { contextId: 1, state: 1, type: 1, address: '10.170.23.5' } });
  });

  test('socket service answers: +QIOPEN, +QSSLOPEN, +QIRD, +QISEND, +QSSLRECV, dnsgip', () => {
    expect(parseQiopen('+QIOPEN: 0,566')).toEqual({ ok: true, value: { connectId: 0, error: 566 } });
    expect(parseQsslopen('+QSSLOPEN: 2,0')).toEqual({ ok: true, value: { connectId: 2, error: 0 } });
    expect(parseQird('+QIRD: 24')).toEqual({ ok: true, value: { kind: 'data', length: 24 } });
    expect(parseQird('+QIRD: 4,"192.0.2.1",123')).toEqual({ ok: true, value: { kind: 'data', length: 4, remoteAddress: '192.0.2.1', remotePort: 123 } });
    expect(parseQird('+QIRD: 30,25,5')).toEqual({ ok: true, value: { kind: 'counters', total: 30, read: 25, unread: 5 } });
    expect(parseQisend('+QISEND: 11,11,0')).toEqual({ ok: true, value: { total: 11, acked: 11, unacked: 0 } });
    expect(parseQsslrecv('+QSSLRECV: 5')).toEqual({ ok: true, value: 5 });
    expect(parseQidnsgip('+QIURC: "dnsgip",0,2,600')).toEqual({ ok: true, value: { kind: 'header', error: 0, count: 2, ttl: 600 } });
    expect(parseQidnsgip('+QIURC: "dnsgip","192.0.2.10"')).toEqual({ ok: true, value: { kind: 'address', address: '192.0.2.10' } });
    expect(parseQidnsgip('+QIURC: "dnsgip",565')).toEqual({ ok: true, value: { kind: 'header', error: 565, count: 0, ttl: 0 } });
  });

  test('+QCFG keeps values as written (scan sequence digits, band masks)', () => {
    expect(parseQcfg('+QCFG: "nwscanseq",020301')).toEqual({ ok: true, value: { name: 'nwscanseq', values: ['020301'] } });
    expect(parseQcfg('+QCFG: "band",0xf,0x80084,0x80084')).toEqual({ ok: true, value: { name: 'band', values: ['0xf', '0x80084', '0x80084'] } });
  });

  test('+CCLK local time with a zone in quarter hours converts to UTC', () => {
    expect(parseCclk('+CCLK: "24/05/14,09:30:15+08"')).toEqual({ ok: true, value: { utcMs: Date.UTC(2024, 4, 14, 7, 30, 15), tzQuarters: 8 } });
    expect(parseModemTime('2024/05/14,09:30:15-04')).toEqual({ ok: true, value: { utcMs: Date.UTC(2024, 4, 14, 10, 30, 15), tzQuarters: -4 } });
    expect(parseModemTime('24/02/30,00:00:00+00')).toEqual({ ok: false, error: "time: no such date in '24/02/30,00:00:00+00'" });
  });

  test.each([
    ['+CSQ: 18', parseCsq],
    ['+CSQ: 18,', parseCsq],
    ['+CSQ: 45,99', parseCsq],
    ['+CSQ: x,99', parseCsq],
    ['+QCSQ: "eMTC",-65', parseQcsq],
    ['+QCSQ: "LTE",-65,-80,100,-10', parseQcsq],
    ['+QIOPEN: 0,', parseQiopen],
    ['+QIOPEN: 0', parseQiopen],
    ['+QNWINFO: "eMTC","20801"', parseQnwinfo],
    ['+COPS: 0,0,"Orange', parseCops],
    ['+CCLK: "24/05/14,09:30', parseCclk],
    ['+CSQ 18,99', parseCsq],
    ['OK', parseCsq],
    ['+CREG: 1,2', parseQiopen],
    ['', parseQccid],
    ['\ufffd\ufffd', parseCpin],
  ] as const)('truncated or garbage %j is a parse error, not an exception', (line, parse) => {
    const r = (parse as (l: string) => { ok: boolean; error?: string })(line);
    expect(r.ok).toBe(false);
    expect(r.error).toEqual(expect.any(String));
  });
});

describe('URC recognition', () => {
  test.each<[string, AtUrc]>([
    ['+QIURC: "recv",0', { type: 'recv', service: 'tcpip', connectId: 0 }],
    ['+QIURC: "closed",3', { type: 'closed', service: 'tcpip', connectId: 3 }],
    ['+QIURC: "pdpdeact",1', { type: 'pdpdeact', contextId: 1 }],
    ['+QIURC: "incoming full"', { type: 'incoming-full' }],
    ['+QIURC: "dnsgip",0,2,600', { type: 'dnsgip-header', error: 0, count: 2, ttl: 600 }],
    ['+QIURC: "dnsgip","192.0.2.10"', { type: 'dnsgip-address', address: '192.0.2.10' }],
    ['+QSSLURC: "recv",2', { type: 'recv', service: 'ssl', connectId: 2 }],
    ['+QSSLURC: "closed",2', { type: 'closed', service: 'ssl', connectId: 2 }],
    ['+QIOPEN: 0,0', { type: 'open', service: 'tcpip', connectId: 0, error: 0 }],
    ['+QSSLOPEN: 2,566', { type: 'open', service: 'ssl', connectId: 2, error: 566 }],
    ['+CEREG: 1,"1A2B","01A2B3C4",9', { type: 'registration', registration: { kind: 'CEREG', stat: 1, registered: true, area: '1A2B', cellId: '01A2B3C4', act: 9 } }],
    ['+CREG: 0', { type: 'registration', registration: { kind: 'CREG', stat: 0, registered: false } }],
    ['RDY', { type: 'ready', stage: 'RDY' }],
    ['APP RDY', { type: 'ready', stage: 'APP RDY' }],
    ['+CPIN: READY', { type: 'cpin', state: 'READY' }],
    ['+CFUN: 1', { type: 'cfun', fun: 1 }],
    ['POWERED DOWN', { type: 'powered-down', text: 'POWERED DOWN' }],
    ['UNDER_VOLTAGE POWER DOWN', { type: 'powered-down', text: 'UNDER_VOLTAGE POWER DOWN' }],
    ['+QNTP: 0,"2024/05/14,09:30:15+08"', { type: 'ntp', error: 0, utcMs: Date.UTC(2024, 4, 14, 7, 30, 15) }],
    ['+QNTP: 565', { type: 'ntp', error: 565 }],
    ['+QIND: SMS DONE', { type: 'qind', name: 'SMS DONE', params: [] }],
    ['+QIND: "csq",20,99', { type: 'qind', name: 'csq', params: ['20', '99'] }],
    ['+QUSIM: 1', { type: 'other', text: '+QUSIM: 1' }],
  ])('%s', (line, urc) => {
    expect(parseUrc(line)).toEqual({ ok: true, value: urc });
  });

  test('information responses and finals are not URCs', () => {
    for (const line of ['+CSQ: 18,99', 'OK', '+QIRD: 5', '867698041234561']) expect(parseUrc(line)).toBeUndefined();
  });

  test('malformed URCs are errors', () => {
    for (const line of ['+QIURC: "recv"', '+QIURC: "bogus",1', '+QIOPEN: x,0', '+QNTP: 0,"yesterday"', '+QIURC: "closed', '+CPIN: ']) {
      expect(parseUrc(line)).toMatchObject({ ok: false });
    }
  });
});

describe('command formatting', () => {
  test('quotes strings and writes integers bare', () => {
    expect(formatCommand('+QIOPEN', [1, 0, 'TCP', '192.0.2.10', 21, 0, 0])).toEqual({ ok: true, value: 'AT+QIOPEN=1,0,"TCP","192.0.2.10",21,0,0' });
    expect(formatCommand('+CSQ')).toEqual({ ok: true, value: 'AT+CSQ' });
    expect(formatRead('+CEREG')).toEqual({ ok: true, value: 'AT+CEREG?' });
  });

  test('refuses strings that would break the command line', () => {
    expect(formatCommand('+QICSGP', [1, 1, 'apn"\r\nAT+CFUN=0'])).toMatchObject({ ok: false });
    expect(formatCommand('+X', [1.5])).toMatchObject({ ok: false });
  });
});

describe('AT channel over recorded BG95 transcripts', () => {
  test('boot URCs arrive through onUrc with nothing running', () => {
    const h = harness();
    h.feed(T.BOOT, 4);
    expect(h.urcs.map((u) => u.urc.type)).toEqual(['ready', 'cfun', 'cpin', 'other', 'qind', 'ready']);
    expect(h.unexpected).toEqual([]);
  });

  test('each query writes its command with CR and captures its information line', () => {
    const h = harness();
    for (const [command, answer] of Object.entries(T.QUERIES)) {
      const head = /^AT(\+[A-Z]+)/.exec(command)?.[1];
      h.send(command, head ? { prefix: head } : {});
      expect(h.written.at(-1)).toBe(command + '\r');
      h.feed(answer, 5);
    }
    expect(h.responses.map((r) => [r.command, r.ok, r.lines])).toEqual(
      Object.entries(T.QUERIES).map(([command, answer]) => [command, true, [answer.split('\r\n')[1]]]),
    );
    expect(h.urcs).toEqual([]);
    expect(h.unexpected).toEqual([]);
  });

  test('+CPIN: and +CEREG: lines are answers while their query runs, URCs otherwise', () => {
    const h = harness();
    h.send('AT+CEREG?', { prefix: '+CEREG' });
    h.feed('\r\n+CEREG: 2,5,"1A2B","01A2B3C4",8\r\n\r\nOK\r\n');
    h.feed('\r\n+CEREG: 1,"1A2B","01A2B3C5",8\r\n');
    expect(h.responses[0].lines).toEqual(['+CEREG: 2,5,"1A2B","01A2B3C4",8']);
    expect(h.urcs.map((u) => u.line)).toEqual(['+CEREG: 1,"1A2B","01A2B3C5",8']);
  });

  test('an echoed command line (ATE1) is not captured', () => {
    const h = harness();
    h.send('AT+QCSQ', { prefix: '+QCSQ' });
    h.feed('AT+QCSQ\r\r\n+QCSQ: "eMTC",-57,-77,225,-7\r\n\r\nOK\r\n');
    expect(h.responses[0].lines).toEqual(['+QCSQ: "eMTC",-57,-77,225,-7']);
  });

  test('a TCP session: open, recv URC, QIRD with payload, QISEND through the prompt, close URC', () => {
    const h = harness();
    h.send('AT+QIOPEN=1,0,"TCP","192.0.2.10",21,0,0', { timeoutMs: 150_000 });
    h.feed(T.QIOPEN_OK);
    expect(h.responses[0]).toMatchObject({ ok: true, lines: [] });
    expect(h.urcs.map((u) => u.urc)).toEqual([{ type: 'open', service: 'tcpip', connectId: 0, error: 0 }]);

    h.feed(T.RECV_URC);
    h.send('AT+QIRD=0,1500', { prefix: '+QIRD' });
    h.feed(T.QIRD_GREETING, 7);
    expect(h.responses[1]).toMatchObject({ ok: true, lines: ['+QIRD: 24'] });
    expect(text(h.responses[1].data as Uint8Array)).toBe(T.GREETING);

    const payload = bytes('USER hub\r\n\x00');
    h.send('AT+QISEND=0,11', { payload });
    h.feed(T.QISEND_PROMPT);
    expect(h.written.at(-1)).toBe(text(payload));
    h.feed(T.QISEND_DONE);
    expect(h.responses[2]).toMatchObject({ ok: true, final: { kind: 'send-ok' } });

    h.send('AT+QISEND=0,0', { prefix: '+QISEND' });
    h.feed(T.QISEND_QUERY);
    expect(parseQisend(h.responses[3].lines[0])).toEqual({ ok: true, value: { total: 11, acked: 11, unacked: 0 } });

    h.feed(T.CLOSED_URC + T.PDP_DEACT_URC);
    expect(h.urcs.slice(1).map((u) => u.urc.type)).toEqual(['recv', 'closed', 'pdpdeact']);
    expect(h.unexpected).toEqual([]);
  });

  test('an SSL session: QSSLOPEN URC, QSSLRECV payload, closed URC', () => {
    const h = harness();
    h.send('AT+QSSLOPEN=1,1,2,"192.0.2.10",990,0', { timeoutMs: 150_000 });
    h.feed(T.QSSLOPEN_OK + T.SSL_RECV_URC);
    h.send('AT+QSSLRECV=2,1500', { prefix: '+QSSLRECV' });
    h.feed(T.QSSLRECV + T.SSL_CLOSED_URC, 2);
    expect(text(h.responses[1].data as Uint8Array)).toBe('230 \n');
    expect(h.urcs.map((u) => u.urc)).toEqual([
      { type: 'open', service: 'ssl', connectId: 2, error: 0 },
      { type: 'recv', service: 'ssl', connectId: 2 },
      { type: 'closed', service: 'ssl', connectId: 2 },
    ]);
  });

  test('direct push data is delivered with its recv URC', () => {
    const h = harness();
    h.feed('\r\n+QIURC: "recv",0,13\r\nHello Finamon', 4);
    expect(h.urcs).toEqual([{ urc: { type: 'recv', service: 'tcpip', connectId: 0, length: 13 }, line: '+QIURC: "recv",0,13', data: bytes('Hello Finamon') }]);
  });

  test('DNS and NTP results come as URCs after OK', () => {
    const h = harness();
    h.send('AT+QIDNSGIP=1,"ftp.example.com"');
    h.feed(T.DNS);
    h.send('AT+QNTP=1,"pool.ntp.org",123');
    h.feed(T.NTP);
    expect(h.responses.map((r) => r.ok)).toEqual([true, true]);
    expect(h.urcs.map((u) => u.urc)).toEqual([
      { type: 'dnsgip-header', error: 0, count: 2, ttl: 600 },
      { type: 'dnsgip-address', address: '192.0.2.10' },
      { type: 'dnsgip-address', address: '192.0.2.11' },
      { type: 'ntp', error: 0, utcMs: Date.UTC(2024, 4, 14, 7, 30, 15) },
    ]);
  });

  test('a URC arriving between a command and its answer does not disturb it', () => {
    const h = harness();
    h.send('AT+CSQ', { prefix: '+CSQ' });
    h.feed('\r\n+QIURC: "recv",1\r\n\r\n+CSQ: 18,99\r\n\r\n+QIURC: "closed",1\r\nOK\r\n');
    expect(h.responses[0].lines).toEqual(['+CSQ: 18,99']);
    expect(h.urcs.map((u) => u.urc.type)).toEqual(['recv', 'closed']);
  });

  test('CME and CMS errors end the command with their code', () => {
    const h = harness();
    h.send('AT+CPIN?', { prefix: '+CPIN' });
    h.feed('\r\n+CME ERROR: 10\r\n');
    h.send('AT+CMGS="+33612345678"');
    h.feed('\r\n+CMS ERROR: 500\r\n');
    expect(h.responses.map((r) => [r.ok, r.final.kind, r.final.code])).toEqual([
      [false, 'cme', 10],
      [false, 'cms', 500],
    ]);
  });

  test('SEND FAIL ends a send unsuccessfully', () => {
    const h = harness();
    h.send('AT+QISEND=0,3', { payload: bytes('abc') });
    h.feed('\r\n> \r\nSEND FAIL\r\n');
    expect(h.responses[0]).toMatchObject({ ok: false, final: { kind: 'send-fail' } });
  });

  test('CONNECT <len> frames a file read with the per-command probe', () => {
    const h = harness();
    h.send('AT+QFREAD=3,4', { dataLength: connectDataLength });
    h.feed('\r\nCONNECT 4\r\nOK\r\n\r\nOK\r\n', 3);
    expect(h.responses[0]).toMatchObject({ ok: true, lines: ['CONNECT 4'], final: { kind: 'ok' } });
    expect(text(h.responses[0].data as Uint8Array)).toBe('OK\r\n');
  });

  test('commands queue and run one at a time', () => {
    const h = harness();
    h.send('AT');
    h.send('AT+CSQ', { prefix: '+CSQ' });
    expect(h.written).toEqual(['AT\r']);
    h.feed('\r\nOK\r\n');
    expect(h.written).toEqual(['AT\r', 'AT+CSQ\r']);
    h.feed('\r\n+CSQ: 1,99\r\n\r\nOK\r\n');
    expect(h.responses.map((r) => r.command)).toEqual(['AT', 'AT+CSQ']);
    expect(h.channel.busy).toBe(false);
  });

  test('a command without an answer times out on the clock and the next one starts', () => {
    const h = harness();
    h.send('AT+QPING=1,"192.0.2.1"', { timeoutMs: 1000 });
    h.send('AT');
    h.clock.advance(999);
    expect(h.responses).toEqual([]);
    h.clock.advance(1);
    expect(h.responses[0]).toMatchObject({ ok: false, final: { kind: 'timeout' } });
    expect(h.written.at(-1)).toBe('AT\r');
    h.feed('\r\nOK\r\n');
    expect(h.responses[1]).toMatchObject({ ok: true });
    expect(h.clock.pending).toBe(0);
  });

  test('abortAll ends the running and queued commands', async () => {
    const h = harness();
    const first = h.channel.request({ command: 'AT+COPS=0', timeoutMs: 180_000 });
    const second = h.channel.request({ command: 'AT' });
    h.feed('\r\n+CME ');
    h.channel.abortAll('modem restarted');
    await expect(first).resolves.toMatchObject({ ok: false, final: { kind: 'aborted', text: 'modem restarted' } });
    await expect(second).resolves.toMatchObject({ ok: false, final: { kind: 'aborted' } });
    h.feed(T.BOOT);
    expect(h.urcs[0].urc).toEqual({ type: 'ready', stage: 'RDY' });
    expect(h.unexpected).toEqual([]);
  });

  test('garbage, stray finals, malformed URCs and unsolicited prompts are reported and counted', () => {
    const h = harness();
    h.feed('\r\n\x00\x17garbage\r\nOK\r\n+QIURC: "recv"\r\n> ');
    expect(h.unexpected.map((u) => u.reason)).toEqual([
      'no command running',
      'final result with no command running',
      '+QIURC: missing <connectID> (truncated?)',
      'prompt without a payload to send; cancelled',
    ]);
    expect(h.written).toEqual(['\x1b']);
    expect(h.channel.stats.unexpected).toBe(4);
  });
});
