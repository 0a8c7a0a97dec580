import { WindowFilter, whitelistTable, type Verdict } from '../../tasks/radio/filter';
import type { IdentityMask } from '../../protocol/wmbus/identity';
import { createRandom, type SeededRandom } from '../../sim/world/random';

/**
 * The window filter against a plain model of the recording rules (§4.2.2, §4.2.2.1): manufacturer
 * and medium filters, the white list (version / medium byte skipped on request), then the first
 * frame of each (identity, size) only, and "every listed meter heard" for the early close.
 */
interface Rules {
  manuf: Uint8Array[];
  medium: number[];
  whitelist: Uint8Array[];
  mask: IdentityMask;
}

class ModelFilter {
  private readonly seen = new Set<string>();
  private readonly heard = new Set<string>();
  private readonly listed: Set<string>;

  constructor(private readonly rules: Rules) {
    this.listed = new Set(rules.whitelist.map((e) => Buffer.from(e).toString('hex')));
  }

  judge(id: Uint8Array, length: number): Verdict {
    const r = this.rules;
    if (r.manuf.length > 0 && !r.manuf.some((m) => m[0] === id[0] && m[1] === id[1])) return 'manufacturer';
    if (r.medium.length > 0 && !r.medium.includes(id[7])) return 'medium';
    const entry = r.whitelist.find(
      (e) =>
        e.subarray(0, 6).every((b, i) => b === id[i]) &&
        (r.mask.skipVersionField === true || e[6] === id[6]) &&
        (r.mask.skipMediumField === true || e[7] === id[7]),
    );
    if (r.whitelist.length > 0 && entry === undefined) return 'whitelist';
    const key = Buffer.from(id).toString('hex') + ':' + length;
    if (this.seen.has(key)) return 'duplicate';
    this.seen.add(key);
    if (entry !== undefined) this.heard.add(Buffer.from(entry).toString('hex'));
    return 'record';
  }

  allWhitelistedHeard(): boolean {
    return this.listed.size > 0 && this.heard.size === this.listed.size;
  }
}

/** Identities from a small alphabet, so that meters, sizes and masked bytes collide often. */
function identity(r: SeededRandom): Uint8Array {
  return Uint8Array.of(r.int(0, 1), 0x4c, r.int(0, 5), 0x34, 0x12, 0x00, r.int(1, 2), r.int(6, 7));
}

/** A white list whose entries differ in M-field or id (a meter is listed once), one of them packed twice. */
function whitelist(r: SeededRandom, size: number): Uint8Array[] {
  const byPrefix = new Map<string, Uint8Array>();
  for (let i = 0; i < size * 3 && byPrefix.size < size; i++) {
    const e = identity(r);
    byPrefix.set(Buffer.from(e.subarray(0, 6)).toString('hex'), e);
  }
  const list = [...byPrefix.values()];
  if (list.length > 1) list.push(list[0].slice());
  return list;
}

function packed(list: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(list.length * 8);
  list.forEach((e, i) => out.set(e, i * 8));
  return out;
}

describe('WindowFilter against a model of the recording rules', () => {
  test.each([
    ['no rules', {}],
    ['white list', { wl: 6 }],
    ['white list, version skipped', { wl: 6, mask: { skipVersionField: true } }],
    ['white list, medium skipped', { wl: 5, mask: { skipMediumField: true } }],
    ['white list, both skipped, manufacturer and medium filters', { wl: 8, mask: { skipVersionField: true, skipMediumField: true }, manuf: true, medium: true }],
    ['manufacturer and medium filters, no white list', { manuf: true, medium: true }],
  ] as const)('%s: 200 windows of 60 random frames give the model’s verdicts and early close', (_name, o) => {
    const r = createRandom(0xf1);
    const verdicts = new Set<string>();
    for (let w = 0; w < 200; w++) {
      const spec = o as { wl?: number; mask?: IdentityMask; manuf?: boolean; medium?: boolean };
      const rules: Rules = {
        manuf: spec.manuf === true ? [Uint8Array.of(1, 0x4c)] : [],
        medium: spec.medium === true ? [7] : [],
        whitelist: spec.wl === undefined ? [] : whitelist(r, spec.wl),
        mask: spec.mask ?? {},
      };
      const model = new ModelFilter(rules);
      const filter = new WindowFilter({
        manufFilter: rules.manuf,
        mediumFilter: rules.medium,
        whitelist: whitelistTable(packed(rules.whitelist)),
        mask: rules.mask,
      });
      const got: string[] = [];
      const expected: string[] = [];
      for (let f = 0; f < 60; f++) {
        const id = identity(r);
        const length = r.int(0, 3) === 0 ? 256 : r.int(20, 22);
        got.push(`${filter.judge(id, length)} ${filter.allWhitelistedHeard()}`);
        expected.push(`${model.judge(id, length)} ${model.allWhitelistedHeard()}`);
      }
      expect(got).toEqual(expected);
      for (const v of got) verdicts.add(v);
    }
    expect(verdicts.has('record false') || verdicts.has('record true')).toBe(true);
    expect(verdicts.has('duplicate false') || verdicts.has('duplicate true')).toBe(true);
  });

  test('the first frame of each size per meter is recorded, a repeat of either size is a duplicate', () => {
    const id = Uint8Array.of(1, 0x4c, 1, 0x34, 0x12, 0, 1, 7);
    const filter = new WindowFilter({ manufFilter: [], mediumFilter: [], whitelist: whitelistTable(id.slice()), mask: {} });
    expect([filter.judge(id, 40), filter.judge(id, 40), filter.judge(id, 41), filter.judge(id, 41), filter.judge(id, 40)]).toEqual([
      'record',
      'duplicate',
      'record',
      'duplicate',
      'duplicate',
    ]);
    expect(filter.allWhitelistedHeard()).toBe(true);
  });
});
