import type { SmsService } from '../../drivers/modem/sms';
import type { Command } from '../../protocol/commands/types';
import { parseSmsCommand, senderAuthorised, smsReply } from '../../protocol/sms/command';
import type { OutgoingAck } from '../commands/types';
import { EVENTS, type EventRecorder } from '../log/events';

/** What the SMS phase of a session needs (tasks/modem/session.ts). */
export interface SmsPhaseHost {
  readonly sms: SmsService;
  readonly uid: string;
  /** §4.2.1.1 `local.whiteList`: numbers allowed to command the box; null or empty: every number. */
  readonly whiteList: readonly string[] | null;
  readonly events: EventRecorder;
  /** Runs a command in the session, as a command file's entry (CommandRunner.runCommand). */
  run(command: Command, fileName: string): Promise<OutgoingAck>;
  /** The reply to `status`: the box's state in a few words. */
  status(): string;
  trace(line: string): void;
}

export interface SmsPhaseResult {
  readonly read: number;
  readonly commands: number;
  readonly refused: number;
  readonly replies: number;
}

/** The file name a command that came by SMS is logged and acknowledged under (`<uid>-sms-<index>`). */
function smsFileName(uid: string, index: number): string {
  return `${uid}-sms-${index}`;
}

/**
 * The SMS of one modem session (docs/sms.md): every stored message is read once and deleted. One
 * from a number `local.whiteList` does not authorise is refused and logged, with no reply (a
 * stranger learns nothing, not even that the number is a concentrator); one from an authorised
 * number that is not a command gets the syntax back; a command runs through the command runner,
 * and the reply says how it went. A message that cannot be deleted stays and is read again at the
 * next session: the command runs at most once per session, and `request`, `diag` or `configGet`
 * twice are harmless.
 */
export async function runSmsPhase(host: SmsPhaseHost): Promise<SmsPhaseResult> {
  const result = { read: 0, commands: 0, refused: 0, replies: 0 };
  if (!(await host.sms.prepare())) {
    host.trace('sms: the modem refused text mode');
    return result;
  }
  const list = await host.sms.list();
  for (const e of list.errors) host.trace(`sms: ${e}`);
  for (const m of list.messages) {
    result.read++;
    if (!senderAuthorised(m.sender, host.whiteList)) {
      result.refused++;
      host.events.record(EVENTS.smsRefused, `${m.sender}: not in local.whiteList`);
    } else {
      const parsed = parseSmsCommand(m.text, host.uid);
      let reply: string;
      if (!parsed.ok) {
        host.events.record(EVENTS.smsRefused, `${m.sender}: ${parsed.error}`);
        reply = smsReply(host.uid, 'sms', false, parsed.error);
      } else if (parsed.command === 'status') {
        result.commands++;
        reply = smsReply(host.uid, 'status', true, host.status());
      } else {
        result.commands++;
        const ack = await host.run({ type: parsed.command, cid: `sms-${m.index}` }, smsFileName(host.uid, m.index));
        reply = smsReply(host.uid, parsed.command, ack.ack.result === 'ok', ack.ack.result === 'ok' ? '' : ack.ack.data ?? '');
      }
      if (await host.sms.send(m.sender, reply)) result.replies++;
      else host.trace(`sms: the reply to ${m.sender} was not sent`);
    }
    if (!(await host.sms.delete(m.index))) host.trace(`sms: message ${m.index} not deleted`);
  }
  return result;
}
