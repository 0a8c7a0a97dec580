/**
 * BG95-M3 UART transcripts (modem → host bytes), written from the formats of the Quectel BG95 AT
 * command manual and its TCP/IP and SSL application notes: `\r\n` around every response line,
 * `> ` prompts without a line end, raw payloads right after `+QIRD:` / `+QSSLRECV:` headers.
 */

/** Power-on with the PIN disabled: boot URCs only. */
export const BOOT = '\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n\r\nAPP RDY\r\n';

/** Answers to the identity and network queries, keyed by command (echo off, ATE0). */
export const QUERIES: Readonly<Record<string, string>> = {
  'AT+CPIN?': '\r\n+CPIN: READY\r\n\r\nOK\r\n',
  'AT+CSQ': '\r\n+CSQ: 18,99\r\n\r\nOK\r\n',
  'AT+QCSQ': '\r\n+QCSQ: "eMTC",-71,-97,156,-11\r\n\r\nOK\r\n',
  'AT+CEREG?': '\r\n+CEREG: 2,5,"1A2B","01A2B3C4",8\r\n\r\nOK\r\n',
  'AT+CREG?': '\r\n+CREG: 0,1\r\n\r\nOK\r\n',
  'AT+CGREG?': '\r\n+CGREG: 0,4\r\n\r\nOK\r\n',
  'AT+COPS?': '\r\n+COPS: 0,0,"Orange F",8\r\n\r\nOK\r\n',
  'AT+QNWINFO': '\r\n+QNWINFO: "eMTC","20801","LTE BAND 20",6300\r\n\r\nOK\r\n',
  'AT+CGSN': '\r\n867698041234561\r\n\r\nOK\r\n',
  'AT+QCCID': '\r\n+QCCID: 89330123456789012345\r\n\r\nOK\r\n',
  'AT+CNUM': '\r\n+CNUM: "","+33612345678",145\r\n\r\nOK\r\n',
  'AT+QIACT?': '\r\n+QIACT: 1,1,1,"10.170.23.5"\r\n\r\nOK\r\n',
  'AT+CCLK?': '\r\n+CCLK: "24/05/14,09:30:15+08"\r\n\r\nOK\r\n',
  'AT+QCFG="nwscanseq"': '\r\n+QCFG: "nwscanseq",020301\r\n\r\nOK\r\n',
  'AT+QCFG="band"': '\r\n+QCFG: "band",0xf,0x80084,0x80084\r\n\r\nOK\r\n',
};

/** Opening a TCP socket (buffer access mode): OK at once, the result as a URC later. */
export const QIOPEN_OK = '\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n';
/** The FTP server greets: a recv URC, then AT+QIRD reads it with the payload framed by length. */
export const RECV_URC = '\r\n+QIURC: "recv",0\r\n';
export const GREETING = '220-Welcome\r\n220 Ready\r\n';
export const QIRD_GREETING = `\r\n+QIRD: ${GREETING.length}\r\n${GREETING}\r\nOK\r\n`;
export const QIRD_EMPTY = '\r\n+QIRD: 0\r\n\r\nOK\r\n';
/** AT+QISEND=0,11: prompt, then the result once the 11 bytes went out. */
export const QISEND_PROMPT = '\r\n> ';
export const QISEND_DONE = '\r\nSEND OK\r\n';
export const QISEND_QUERY = '\r\n+QISEND: 11,11,0\r\n\r\nOK\r\n';
export const CLOSED_URC = '\r\n+QIURC: "closed",0\r\n';
export const PDP_DEACT_URC = '\r\n+QIURC: "pdpdeact",1\r\n';

/** SSL client 2 on port 990. */
export const QSSLOPEN_OK = '\r\nOK\r\n\r\n+QSSLOPEN: 2,0\r\n';
export const SSL_RECV_URC = '\r\n+QSSLURC: "recv",2\r\n';
export const QSSLRECV = '\r\n+QSSLRECV: 5\r\n230 \n\r\nOK\r\n';
export const SSL_CLOSED_URC = '\r\n+QSSLURC: "closed",2\r\n';

/** AT+QIDNSGIP=1,"ftp.example.com". */
export const DNS = '\r\nOK\r\n\r\n+QIURC: "dnsgip",0,2,600\r\n\r\n+QIURC: "dnsgip","192.0.2.10"\r\n\r\n+QIURC: "dnsgip","192.0.2.11"\r\n';
/** AT+QNTP=1,"pool.ntp.org",123. */
export const NTP = '\r\nOK\r\n\r\n+QNTP: 0,"2024/05/14,09:30:15+08"\r\n';
