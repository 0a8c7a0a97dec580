import { fingerprint } from './bg95-config';
import type { ModemStateStore } from './types';

/** Settings key of the refusal record (NVS keys are at most 15 characters). */
export const PIN_REFUSED_KEY = 'mdmPinRefused';
/** SIMs remembered; a unit sees one SIM in its life, a few more in the workshop. */
const MAX_SIMS = 4;
/** Refused PINs remembered per SIM: fewer than the SIM allows attempts before PUK. */
const MAX_PINS_PER_SIM = 3;

type RefusalMap = Map<string, string[]>;

/**
 * Remembers, per SIM (ICCID), the PINs the SIM has refused, so none is ever sent again: each
 * refusal costs one of the SIM's three attempts, and a PUK-locked SIM needs a site visit. Only a
 * fingerprint of ICCID + PIN is stored.
 */
export class PinGuard {
  constructor(private readonly store: ModemStateStore) {}

  /** True when `pin` was refused by the SIM `iccid` before. */
  refused(iccid: string, pin: string): boolean {
    return (this.load().get(iccid) ?? []).indexOf(fingerprint(iccid + '/' + pin)) >= 0;
  }

  record(iccid: string, pin: string): void {
    const all = this.load();
    const fps = all.get(iccid) ?? [];
    const fp = fingerprint(iccid + '/' + pin);
    if (fps.indexOf(fp) < 0) fps.push(fp);
    while (fps.length > MAX_PINS_PER_SIM) fps.shift();
    all.delete(iccid);
    all.set(iccid, fps);
    while (all.size > MAX_SIMS) all.delete(all.keys().next().value as string);
    this.save(all);
  }

  /** The SIMs (ICCIDs) with at least one refused PIN on record, oldest first. */
  sims(): string[] {
    const out: string[] = [];
    for (const [iccid, fps] of this.load()) if (fps.length > 0) out.push(iccid);
    return out;
  }

  /** Forgets the refusals of one SIM, or of all (a technician reset the PIN). */
  clear(iccid?: string): void {
    if (iccid === undefined) {
      this.store.delete(PIN_REFUSED_KEY);
      return;
    }
    const all = this.load();
    all.delete(iccid);
    this.save(all);
  }

  private load(): RefusalMap {
    const out: RefusalMap = new Map();
    const raw = this.store.get(PIN_REFUSED_KEY);
    if (typeof raw !== 'string') return out;
    for (const entry of raw.split(';')) {
      const eq = entry.indexOf('=');
      if (eq <= 0) continue;
      out.set(entry.slice(0, eq), entry.slice(eq + 1).split(',').filter((s) => /^[0-9a-f]{8}$/.test(s)));
    }
    return out;
  }

  private save(all: RefusalMap): void {
    const parts: string[] = [];
    for (const [iccid, fps] of all) if (fps.length > 0) parts.push(iccid + '=' + fps.join(','));
    if (parts.length === 0) this.store.delete(PIN_REFUSED_KEY);
    else this.store.set(PIN_REFUSED_KEY, parts.join(';'));
  }
}
