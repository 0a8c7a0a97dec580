import type { EnergyReport } from '../../drivers/power/ledger';

/** One listening window, as the firmware's console reports it at its end (tasks/app.ts onWindowEnd). */
export interface ReportWindow {
  readonly atMs: number;
  readonly mode: string;
  readonly seconds: number;
  readonly heard: number;
  readonly recorded: number;
}

/** One modem session, as the firmware's console reports it at its end (tasks/app.ts onSessionEnd). */
export interface ReportSession {
  readonly atMs: number;
  readonly ok: boolean;
  /** The step it failed at and why, for a failed session. */
  readonly failure?: string;
  readonly files: number;
  readonly framesUploaded: number;
}

export interface ReportAlarm {
  readonly atMs: number;
  readonly kind: string;
  readonly value: string;
  readonly cleared: boolean;
}

/** The pack's charge used at a moment of the run. */
export interface ReportSample {
  readonly atMs: number;
  readonly usedMah: number;
}

export interface ReportData {
  readonly samples: readonly ReportSample[];
  readonly windows: readonly ReportWindow[];
  readonly sessions: readonly ReportSession[];
  readonly alarms: readonly ReportAlarm[];
}

/**
 * Gathers what the HTML report shows while a run goes: the energy ledger's samples, and the
 * firmware's own console lines at the end of each window and session and at each alarm (the
 * `--trace` lines, stamped with the device clock). The console formats are the firmware's
 * (tasks/app.ts); a line that matches none is ignored.
 */
export class ReportCollector {
  private readonly samples: ReportSample[] = [];
  private readonly windows: ReportWindow[] = [];
  private readonly sessions: ReportSession[] = [];
  private readonly alarms: ReportAlarm[] = [];

  sample(atMs: number, energy: EnergyReport): void {
    this.samples.push({ atMs, usedMah: energy.totalPackMah });
  }

  /** A `--trace` line: the device clock's ISO time, a space, the console line. */
  trace(line: string): void {
    const space = line.indexOf(' ');
    const atMs = Date.parse(line.slice(0, space));
    if (!Number.isFinite(atMs)) return;
    const text = line.slice(space + 1);
    const window = /^radio window (\S+) (\d+) s, (\d+) heard, (\d+) recorded/.exec(text);
    if (window !== null) {
      this.windows.push({ atMs, mode: window[1], seconds: Number(window[2]), heard: Number(window[3]), recorded: Number(window[4]) });
      return;
    }
    const session = /^modem session (ok|failed at ([^:]+): (.*)), (\d+) files, (\d+) frames up, \d+ inbox files$/.exec(text);
    if (session !== null) {
      const ok = session[1] === 'ok';
      this.sessions.push({
        atMs,
        ok,
        ...(ok ? {} : { failure: `${session[2]}: ${session[3]}` }),
        files: Number(session[4]),
        framesUploaded: Number(session[5]),
      });
      return;
    }
    const alarm = /^alarm (\S+) (cleared )?(\S+) \(threshold/.exec(text);
    if (alarm !== null) this.alarms.push({ atMs, kind: alarm[1], value: alarm[3], cleared: alarm[2] !== undefined });
  }

  data(): ReportData {
    return { samples: [...this.samples], windows: [...this.windows], sessions: [...this.sessions], alarms: [...this.alarms] };
  }
}
