import { parseParams, splitHead } from './params';
import { parseModemTime, parseRegistration } from './responses';
import type { AtParse, AtUrc } from './types';
import { freezeTable } from '../freeze';

/**
 * Heads that the BG95 sends unsolicited. Several are also read-command answers (`+CEREG`, `+CPIN`,
 * `+CFUN`): the channel gives the pending command's prefix precedence over URC recognition.
 */
const URC_HEADS: readonly string[] = freezeTable([
  '+QIURC', '+QSSLURC', '+QIOPEN', '+QSSLOPEN', '+CEREG', '+CREG', '+CGREG', '+CPIN', '+CFUN', '+QNTP', '+QIND',
  '+CGEV', '+QPSMTIMER', '+CTZE', '+CTZV', '+QMTSTAT', '+QMTRECV', '+QUSIM',
]);

const READY_LINES = freezeTable(['RDY', 'APP RDY'] as const);
/** Power-down notices: after AT+QPOWD, on supply faults (the `…POWER DOWN` family). */
// A RegExp made at module load is preloaded, and SDK 8.2.3 XS corrupts the heap executing one
// (docs/conventions.md, "Preloading"): the literal stays inside the function, compiled when it runs.
function isPowerDown(text: string): boolean {
  return /^(POWERED DOWN|[A-Z_ ]*POWER DOWN)$/.test(text);
}

function isVoltageWarning(text: string): boolean {
  return /^(UNDER|OVER)_VOLTAGE WARNING$/.test(text);
}

/** Whether `line` has the form of an unsolicited result code. */
export function isUrc(line: string): boolean {
  const text = line.trim();
  const head = splitHead(text);
  if (head) return URC_HEADS.indexOf(head.name) >= 0;
  return READY_LINES.some((r) => r === text) || isPowerDown(text) || isVoltageWarning(text);
}

function service(name: string): 'tcpip' | 'ssl' {
  return name === '+QSSLURC' || name === '+QSSLOPEN' ? 'ssl' : 'tcpip';
}

/** Parses a URC; undefined when the line is not one (see `isUrc`), `{ ok: false }` when it is but is malformed. */
export function parseUrc(line: string): AtParse<AtUrc> | undefined {
  const text = line.trim();
  if (!isUrc(text)) return undefined;
  const ready = READY_LINES.find((r) => r === text);
  if (ready) return { ok: true, value: { type: 'ready', stage: ready } };
  if (isPowerDown(text)) return { ok: true, value: { type: 'powered-down', text } };
  const head = splitHead(text);
  if (!head) return { ok: true, value: { type: 'other', text } };
  const name = head.name;
  switch (name) {
    case '+QIURC':
    case '+QSSLURC':
      return parseParams(head.rest, name, (f): AtUrc => {
        const kind = f.quoted(0, 'type');
        switch (kind) {
          case 'recv': {
            const connectId = f.int(1, 'connectID', 0, 11);
            const length = f.optInt(2, 'length', 0);
            if (length === undefined) return { type: 'recv', service: service(name), connectId };
            if (f.has(3)) {
              return { type: 'recv', service: service(name), connectId, length, remoteAddress: f.quoted(3, 'remoteIP'), remotePort: f.int(4, 'remote_port', 0, 65535) };
            }
            return { type: 'recv', service: service(name), connectId, length };
          }
          case 'closed':
            return { type: 'closed', service: service(name), connectId: f.int(1, 'connectID', 0, 11) };
          case 'pdpdeact':
            return { type: 'pdpdeact', contextId: f.int(1, 'contextID', 1, 16) };
          case 'incoming full':
            return { type: 'incoming-full' };
          case 'incoming':
            return {
              type: 'incoming',
              connectId: f.int(1, 'connectID', 0, 11),
              serverId: f.int(2, 'serverID', 0, 11),
              remoteAddress: f.quoted(3, 'remoteIP'),
              remotePort: f.int(4, 'remote_port', 0, 65535),
            };
          case 'dnsgip':
            if (f.isQuoted(1)) return { type: 'dnsgip-address', address: f.quoted(1, 'hostIPaddr') };
            return { type: 'dnsgip-header', error: f.int(1, 'err', 0, 65535), count: f.optInt(2, 'IP_count', 0) ?? 0, ttl: f.optInt(3, 'DNS_ttl', 0) ?? 0 };
          default:
            return f.fail(`unknown report "${kind}"`);
        }
      });
    case '+QIOPEN':
    case '+QSSLOPEN':
      return parseParams(head.rest, name, (f): AtUrc => ({
        type: 'open',
        service: service(name),
        connectId: f.int(0, 'connectID', 0, 11),
        // The SSL service reports a failed handshake as -1 (drivers/modem/sockets.ts SSL_HANDSHAKE_FAILED).
        error: f.int(1, 'err', name === '+QSSLOPEN' ? -1 : 0, 65535),
      }));
    case '+CEREG':
    case '+CREG':
    case '+CGREG': {
      const reg = parseRegistration(text, false);
      return reg.ok ? { ok: true, value: { type: 'registration', registration: reg.value } } : reg;
    }
    case '+CPIN': {
      const state = head.rest.trim();
      return state === '' ? { ok: false, error: '+CPIN: missing state' } : { ok: true, value: { type: 'cpin', state } };
    }
    case '+CFUN':
      return parseParams(head.rest, name, (f): AtUrc => ({ type: 'cfun', fun: f.int(0, 'fun', 0, 4) }));
    case '+QNTP':
      return parseParams(head.rest, name, (f): AtUrc => {
        const error = f.int(0, 'err', 0, 65535);
        if (!f.has(1)) return { type: 'ntp', error };
        const time = parseModemTime(f.str(1, 'time'));
        if (!time.ok) return f.fail(time.error);
        return { type: 'ntp', error, utcMs: time.value.utcMs };
      });
    case '+QIND':
      return parseParams(head.rest, name, (f): AtUrc => {
        if (f.length === 0) return f.fail('empty indication');
        return { type: 'qind', name: f.str(0, 'name'), params: f.params.slice(1).map((p) => p.text) };
      });
    default:
      return { ok: true, value: { type: 'other', text } };
  }
}
