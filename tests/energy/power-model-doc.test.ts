import { readFileSync } from 'fs';
import { join } from 'path';
import { PACK, POWER_MODEL } from '../../drivers/power/model';

/** Rows of the markdown table whose header starts with `| component | state |`. */
function docRows(): string[][] {
  const text = readFileSync(join(__dirname, '../../docs/power-model.md'), 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| component | state |'));
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) {
    rows.push(lines[i].split('|').slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

describe('docs/power-model.md and the ledger use the same figures', () => {
  test('every state of the code table is documented with the same current and rail', () => {
    const rows = docRows();
    expect(rows).toHaveLength(POWER_MODEL.length);
    for (const f of POWER_MODEL) {
      const row = rows.find((r) => r[0] === f.component && r[1] === f.state);
      expect(row).toBeDefined();
      expect(Number(row![2])).toBe(f.currentMa);
      expect(Number(row![3])).toBe(f.railV);
      expect(row![4].length).toBeGreaterThan(0);
    }
  });

  test('the pack figures match the document', () => {
    const text = readFileSync(join(__dirname, '../../docs/power-model.md'), 'utf8');
    expect(text).toContain(`| pack voltage | ${PACK.voltageV} V |`);
    expect(text).toContain(`| converter efficiency η | ${PACK.converterEfficiency * 100} % |`);
    expect(text).toContain('| pack capacity | 14 000 mAh |');
  });
});
