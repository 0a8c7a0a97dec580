/**
 * Commands by SMS end to end (docs/sms.md): the scenario sends SMS to the box's SIM, the BG95
 * emulator stores them and answers the AT+CMGL / AT+CMGD / AT+CMGS of the next modem session, the
 * session runs the commands of authorised numbers through the command runner and replies.
 */
import { runScenarioOnNode } from '../../sim/cli/main.node';
import { SimFiles } from '../../sim/drivers/files';
import type { SimRun } from '../../sim/run';
import { DEFAULT_SCENARIO, mergeScenario, type Scenario } from '../../sim/scenario';
import { EventLog } from '../../tasks/log/event-log';
import { EVENTS } from '../../tasks/log/events';

const OPERATOR = '+33612345678';
const STRANGER = '+33700000000';
const UID = DEFAULT_SCENARIO.device.uid;

/** The default site with one authorised number; SMS arrive at 01:00, the session is at 03:30. */
function site(whiteList: string[] | null, sms: { from: string; text: string }[]): Scenario {
  return mergeScenario(DEFAULT_SCENARIO, {
    name: 'sms site',
    preset: { config: { local: { whiteList } } },
    actions: sms.map((m) => ({ atMinutes: 60, action: 'sms', ...m })),
  }) as Scenario;
}

async function run(scenario: Scenario): Promise<SimRun> {
  return (await runScenarioOnNode(scenario, {}, () => undefined)).run;
}

function events(r: SimRun, code: number): (string | undefined)[] {
  const log = new EventLog(new SimFiles(r.device.files, Number.MAX_SAFE_INTEGER), r.device.clock());
  return log.entries().filter((e) => e.code === code).map((e) => e.data);
}

test('an authorised number\'s command runs at the next session and gets a reply; the message is deleted', async () => {
  const r = await run(site([OPERATOR], [{ from: OPERATOR, text: `${UID} supervisionGet` }]));
  expect(r.emulator.sentSms.map((m) => [m.to, m.text])).toEqual([[OPERATOR, `${UID} supervisionGet ok`]]);
  expect(events(r, EVENTS.commandDone.code)).toContain('supervisionGet sms-1');
  expect(r.emulator.storedSms).toBe(0);
}, 60_000);

test('status answers with the box\'s state', async () => {
  const r = await run(site(null, [{ from: STRANGER, text: `${UID} status` }]));
  expect(r.emulator.sentSms).toHaveLength(1);
  expect(r.emulator.sentSms[0].text).toMatch(new RegExp(`^${UID} status ok: mode run, last connection ok 2026-01-05T00:1\\d, \\d+ frames recorded, \\d+ uploaded$`));
}, 60_000);

test('a number the white list does not hold is refused and logged, with no reply', async () => {
  const r = await run(site([OPERATOR], [{ from: STRANGER, text: `${UID} factory` }]));
  expect(r.emulator.sentSms).toEqual([]);
  expect(events(r, EVENTS.smsRefused.code)).toEqual([`${STRANGER}: not in local.whiteList`]);
  expect(events(r, EVENTS.commandDone.code).some((d) => d?.startsWith('factory'))).toBe(false);
  expect(r.emulator.storedSms).toBe(0);
}, 60_000);

test('a malformed SMS from an authorised number gets the syntax back, and nothing runs', async () => {
  const r = await run(site([OPERATOR], [{ from: OPERATOR, text: 'reboot please' }]));
  expect(r.emulator.sentSms.map((m) => m.text)).toEqual([`${UID} sms ko: not for this box (expected "${UID} <command>")`]);
  expect(events(r, EVENTS.smsRefused.code)).toEqual([`${OPERATOR}: not for this box (expected "${UID} <command>")`]);
}, 60_000);
