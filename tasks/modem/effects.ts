import type { BsonDocument } from '../../protocol/bson/types';
import { parseWhitelistFile } from '../../protocol/config/whitelist';
import { bytesSource } from '../../protocol/firmware/image';
import type { CommandContext, CommandEffects, EffectResult } from '../commands/types';
import type { ConfigStore } from '../config-store';
import type { Counters } from '../counters';
import { EVENTS, type EventRecorder } from '../log/events';
import type { AddResult } from '../outbox';
import { MAX_CERTIFICATE_FETCH_BYTES, MAX_FIRMWARE_BYTES } from './policy';
import type { AppEffects, CertificateKeeper, FirmwareInstaller, SessionModem, WhitelistKeeper } from './types';

const MS_PER_SECOND = 1000;

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
      if (host.firmware === undefined) return { ok: false, data: 'firmware update not available' };
      const image = await host.fetchBin(imageName, MAX_FIRMWARE_BYTES);
      const result = host.firmware.install(bytesSource(image));
      if (!result.ok) return { ok: false, data: `${imageName}: ${result.error}` };
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
