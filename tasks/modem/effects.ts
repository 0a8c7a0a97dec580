import type { BsonDocument } from '../../protocol/bson/types';
import { parseWhitelistFile } from '../../protocol/config/whitelist';
import type { CommandContext, CommandEffects, EffectResult } from '../commands/types';
import type { ConfigStore } from '../config-store';
import type { Counters } from '../counters';
import { EVENTS, type EventRecorder } from '../log/events';
import type { AddResult } from '../outbox';
import { MAX_CERTIFICATE_FETCH_BYTES, MAX_FIRMWARE_BYTES } from './policy';
import type { AppEffects, CertificateKeeper, FirmwareInstall, FirmwareInstaller, FirmwareInstallResult, SessionModem, WhitelistKeeper } from './types';

const MS_PER_SECOND = 1000;

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
async function streamFirmware(host: EffectHost, imageName: string, firmware: FirmwareInstaller): Promise<FirmwareInstallResult> {
  const opened: { install?: FirmwareInstall } = {};
  try {
    await host.streamBin(imageName, MAX_FIRMWARE_BYTES, {
      open(size) {
        opened.install = firmware.beginInstall(size);
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
    async installFirmware(imageName: string): Promise<EffectResult> {
      const firmware = host.firmware;
      if (firmware === undefined) return { ok: false, data: 'firmware update not available' };
      const result = await streamFirmware(host, imageName, firmware);
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
    async operatorInit(): Promise<EffectResult> {
      await host.modem.resetOperatorSelection();
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
    applyConfig(doc: BsonDocument): EffectResult {
      const result = host.config.apply(doc);
      if (!result.ok) return { ok: false, data: `${result.field}: ${result.reason}` };
      if (result.changed.length > 0) {
        host.counters.value.lastConfig = Math.floor(host.now() / MS_PER_SECOND);
        host.counters.save();
      }
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
