import type { BsonDocument } from '../../protocol/bson/types';
import { isDocument } from '../../protocol/config/values';
import { freezeTable } from '../../protocol/freeze';
import { parseWhitelistFile } from '../../protocol/config/whitelist';
import type { CommandContext, CommandEffects, CommandSource, EffectResult } from '../commands/types';
import type { ConfigStore } from '../config-store';
import type { Counters } from '../counters';
import { EVENTS, type EventRecorder } from '../log/events';
import type { AddResult } from '../outbox';
import { MAX_CERTIFICATE_FETCH_BYTES, MAX_FIRMWARE_BYTES } from './policy';
import type { AppEffects, CertificateKeeper, FirmwareInstall, FirmwareInstaller, FirmwareInstallResult, PinRecord, SessionModem, WhitelistKeeper } from './types';

const MS_PER_SECOND = 1000;
/** §4.2.3.1 `cpin` in a configuration file, and in ApplyResult.changed. */
const CPIN_PATH: readonly string[] = freezeTable(['config', 'remote', 'modem', 'cpin']);
const CPIN_FIELD = 'config.remote.modem.cpin';

/** The driver's refused-PIN record (drivers/modem/bg95.ts Bg95Modem has one). */
/**
 * Clears the refused-PIN record (the driver sends that PIN again at the next session) and logs why,
 * when there was one. Returns the ICCIDs cleared.
 */
export function clearPinRecord(pins: PinRecord | undefined, events: EventRecorder, reason: string): readonly string[] {
  const sims = pins?.forgetRefusedPins() ?? [];
  if (sims.length > 0) events.record(EVENTS.pinRecordCleared, `${reason}: SIM ${sims.join(', ')}`);
  return sims;
}

/** Sources a person at the box drives (the USB drive, the BLE dialogue the magnet opens); the rest come over the network. */
function isLocal(source: CommandSource): boolean {
  return source === 'usb' || source === 'ble';
}

/** Whether the file itself sets `path` (keys trimmed as protocol/config/apply.ts reads them), whatever the value. */
function setsPath(doc: BsonDocument, path: readonly string[]): boolean {
  let at: BsonDocument = doc;
  for (let i = 0; i < path.length; i++) {
    const key = Object.keys(at).find((k) => k.trim() === path[i]);
    if (key === undefined) return false;
    if (i === path.length - 1) return true;
    const next = at[key];
    if (!isDocument(next)) return false;
    at = next;
  }
  return false;
}

/**
 * Why an applied configuration clears the refused-PIN record, or undefined. From a local source,
 * any `cpin` in the file, the same PIN included: an installer re-typing it is a person saying the
 * SIM takes it now. From the network, only a PIN that differs from the one refused (new information);
 * the same PIN sent again by a server would cost the SIM an attempt for nothing.
 */
function pinRecordReason(doc: BsonDocument, changed: readonly string[], source: CommandSource): string | undefined {
  if (isLocal(source)) return setsPath(doc, CPIN_PATH) ? `${source} configuration of ${CPIN_FIELD}` : undefined;
  return changed.indexOf(CPIN_FIELD) >= 0 ? `${source} configuration of a new ${CPIN_FIELD}` : undefined;
}

/** Where `streamBin` delivers a file. */
export interface BinReader {
  /** The file is there, `size` bytes when that is known beforehand. False: not wanted after all (nothing is transferred). */
  open(size: number | undefined): boolean;
  /** The next bytes, in order; valid during the call only. */
  data(chunk: Uint8Array): void;
}

/** What the command effects reach of the running session. */
export interface EffectHost {
  readonly now: () => number;
  readonly config: ConfigStore;
  readonly counters: Counters;
  readonly events: EventRecorder;
  readonly modem: SessionModem;
  readonly app: AppEffects;
  readonly whitelist: WhitelistKeeper | undefined;
  readonly certificates: CertificateKeeper | undefined;
  readonly firmware: FirmwareInstaller | undefined;
  /** `/BIN/<name>` from the server (§5.6.3, §5.6.12, §6.2), at most `maxBytes`. */
  fetchBin(name: string, maxBytes: number): Promise<Uint8Array>;
  /**
   * `/BIN/<name>` (at most `maxBytes`) handed to `reader` as it arrives, never whole in RAM.
   * Rejects when the file is missing or too large (before `open`) or the transfer fails.
   */
  streamBin(name: string, maxBytes: number, reader: BinReader): Promise<void>;
  queueConfig(): AddResult;
  queueSupervision(): AddResult;
  queueLog(): AddResult;
  logClean(): void;
  /** §5.6.1 `request` while connected: one more INBOX pass before leaving. */
  requestAnotherPass(): void;
}

function queued(result: AddResult): EffectResult {
  return result.ok ? { ok: true, data: result.file.name } : { ok: false, data: result.error };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * §5.6.3: the image streams from /BIN into the installer, one transfer chunk at a time (a 1-2 MiB
 * image never fits the device's RAM). A missing or oversized file fails before anything is
 * installed, as does a transfer cut short (the install is aborted).
 */
async function streamFirmware(host: EffectHost, imageName: string, firmware: FirmwareInstaller, allowDowngrade: boolean): Promise<FirmwareInstallResult> {
  const opened: { install?: FirmwareInstall } = {};
  try {
    await host.streamBin(imageName, MAX_FIRMWARE_BYTES, {
      open(size) {
        opened.install = firmware.beginInstall(size, { allowDowngrade });
        return opened.install.result === undefined;
      },
      data(chunk) {
        opened.install?.push(chunk);
      },
    });
  } catch (e) {
    if (opened.install === undefined) throw e;
    return opened.install.abort(message(e));
  }
  if (opened.install === undefined) throw new Error(`${imageName}: the transfer never started`);
  return opened.install.finish();
}

/**
 * The §5.6 command effects as a connected session carries them out: what needs the server (files
 * from /BIN), the modem (operatorInit) or the outbox (configGet, supervisionGet, logGet) is done
 * here; factory reset and diagnosis belong to the application.
 */
export function sessionEffects(host: EffectHost): CommandEffects {
  return {
    requestSession(): EffectResult {
      host.requestAnotherPass();
      return { ok: true };
    },
    factoryReset: (ctx: CommandContext) => host.app.factoryReset(ctx),
    runDiag: (ctx: CommandContext) => host.app.runDiag(ctx),
    async installFirmware(imageName: string, _ctx: CommandContext, allowDowngrade: boolean): Promise<EffectResult> {
      const firmware = host.firmware;
      if (firmware === undefined) return { ok: false, data: 'firmware update not available' };
      const result = await streamFirmware(host, imageName, firmware, allowDowngrade);
      if (!result.ok) return { ok: false, data: `${imageName}: ${result.check}: ${result.error}` };
      host.counters.value.lastUpdate = Math.floor(host.now() / MS_PER_SECOND);
      host.counters.save();
      // §5.6: commands after `firmware` may be lost: the new image boots once the ACKs are out.
      return { ok: true, data: result.version, restart: true };
    },
    // §5.6 table: "force the upload of the config to the remote server".
    configGet: () => queued(host.queueConfig()),
    whiteListErase(): EffectResult {
      if (host.whitelist === undefined) return { ok: false, data: 'white list not available' };
      host.whitelist.erase();
      return { ok: true };
    },
    async operatorInit(ctx: CommandContext): Promise<EffectResult> {
      await host.modem.resetOperatorSelection();
      // §5.6.7 is the operator's "start the network side afresh": the SIM's PIN gets its chance again.
      clearPinRecord(host.modem, host.events, `operatorInit (${ctx.source})`);
      return { ok: true };
    },
    logGet: () => queued(host.queueLog()),
    logClean(): EffectResult {
      host.logClean();
      host.events.record(EVENTS.logCleaned);
      return { ok: true };
    },
    supervisionClean(): EffectResult {
      host.counters.reset();
      host.events.record(EVENTS.supervisionCleaned);
      return { ok: true };
    },
    supervisionGet: () => queued(host.queueSupervision()),
    async storeCertificate(certName: string): Promise<EffectResult> {
      if (host.certificates === undefined) return { ok: false, data: 'certificates not available' };
      const bytes = await host.fetchBin(certName, MAX_CERTIFICATE_FETCH_BYTES);
      const result = host.certificates.add(certName, bytes);
      return result.ok ? { ok: true, data: certName } : { ok: false, data: result.error };
    },
    clearCertificates(): EffectResult {
      if (host.certificates === undefined) return { ok: false, data: 'certificates not available' };
      return { ok: true, data: String(host.certificates.clear()) };
    },
    applyConfig(doc: BsonDocument, ctx: CommandContext): EffectResult {
      const result = host.config.apply(doc);
      if (!result.ok) return { ok: false, data: `${result.field}: ${result.reason}` };
      if (result.changed.length > 0) {
        host.counters.value.lastConfig = Math.floor(host.now() / MS_PER_SECOND);
        host.counters.save();
      }
      const reason = pinRecordReason(doc, result.changed, ctx.source);
      if (reason !== undefined) clearPinRecord(host.modem, host.events, reason);
      return { ok: true };
    },
    applyWhiteList(doc: BsonDocument): EffectResult {
      if (host.whitelist === undefined) return { ok: false, data: 'white list not available' };
      const parsed = parseWhitelistFile(doc);
      if (!parsed.ok) return { ok: false, data: `${parsed.field}: ${parsed.reason}` };
      try {
        if (parsed.erased) host.whitelist.erase();
        else host.whitelist.replace(parsed.ids);
      } catch (e) {
        return { ok: false, data: message(e) };
      }
      return { ok: true };
    },
  };
}
