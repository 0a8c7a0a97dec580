/** `wmbus frame HEX [--short-header]`: a stored (CRC-free) frame → all header fields as JSON. */
import { fromHex } from '../../protocol/text/utf8';
import { parseHeader } from '../../protocol/wmbus/header';
import { headerJson, linkJson } from './json';

const USAGE =
  'usage: wmbus frame HEX… [--short-header]  (a stored frame without CRCs, spaces allowed; --short-header takes the filter identity from the DLL)';

export async function run(args: string[]): Promise<number> {
  let longHeader = true;
  const rest: string[] = [];
  for (const a of args) {
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (a === '--short-header') longHeader = false;
    else rest.push(a);
  }
  if (rest.length === 0) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  // One frame: hex split by the shell (`frame 2e 44 33 …`) is the same frame as quoted hex with spaces.
  const frame = fromHex(rest.join(' '));
  if (frame === undefined) {
    process.stdout.write(JSON.stringify({ error: 'hex' }) + '\n');
    return 1;
  }
  const h = parseHeader(frame, { longHeader });
  if (!h.ok) {
    // A cut upper header (ELL, AFL, TPL) leaves the link layer whole: its fields, then the error.
    const out = h.link === undefined ? { error: h.error } : { link: linkJson(h.link), error: h.error };
    process.stdout.write(JSON.stringify(out, null, h.link === undefined ? undefined : 2) + '\n');
    return 1;
  }
  process.stdout.write(JSON.stringify(headerJson(h.header), null, 2) + '\n');
  return 0;
}
