/**
 * The site's meter key list, as a head-end decoder reads it (docs/simulator-meters.md): a CSV file with
 * a header row `id,manufacturer,driver,key` and one row per meter that encrypts, in population order.
 * The order of the columns follows wmbusmeters' meter definitions (id, then driver and key); the key is
 * 32 upper-case hex digits, the driver is empty where the template names none.
 */
import { toHex } from '../../protocol/text/utf8';
import type { SimMeter } from './population';

/** File name of the key list in `--out DIR`. */
export const KEY_LIST_FILE = 'meter-keys.csv';
export const KEY_LIST_HEADER = 'id,manufacturer,driver,key';
export function keyListText(meters: readonly SimMeter[]): string {
  const rows = [KEY_LIST_HEADER];
  for (const m of meters) {
    if (m.key !== undefined) rows.push(`${m.id},${m.manufacturer},${m.driver ?? ''},${toHex(m.key).toUpperCase()}`);
  }
  return rows.join('\n') + '\n';
}
