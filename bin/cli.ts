/** `wmbus <command> …`: each command is a module in bin/commands exporting `run(args): Promise<number>`. */
interface CommandModule {
  run(args: string[]): Promise<number>;
}

const COMMANDS: Readonly<Record<string, { module: string; summary: string }>> = {
  decode: { module: './commands/decode', summary: 'decode [--mode t1c1|s1] HEX…  chip streams after the sync word → frames (quote a stream with spaces)' },
  frame: { module: './commands/frame', summary: 'frame HEX…  a stored frame (spaces allowed) → all header fields' },
  bson2json: { module: './commands/bson2json', summary: 'bson2json FILE [--key BASE64] [--crc-mode 0|1|2] [--crc-field NAME]  BSON (or .aes) file → extended JSON, CRC status' },
  json2bson: { module: './commands/json2bson', summary: 'json2bson FILE -o OUT [--key BASE64]  extended JSON (UTF-8) → BSON with CRC' },
  config: { module: './commands/config', summary: 'config check FILE  the ACK the device would produce for a configuration, and every error' },
  image: { module: './commands/image', summary: 'image keygen|build|sign|verify …  firmware images: Ed25519 keys, build, sign, check against a public key' },
  plan: { module: './commands/plan', summary: 'plan FILE [--network lte-m|nb-iot|2g] [--meters N] [--frames-per-window N] [--json]  battery life of a configuration, and the manual\'s table' },
};

function usage(): string {
  return ['usage: wmbus <command> [args]', ...Object.values(COMMANDS).map((c) => '  wmbus ' + c.summary)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  // Own properties only: `wmbus toString` is an unknown command, not Object.prototype's.
  const entry = name !== undefined && Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (entry === undefined) {
    const help = name === undefined || name === '--help' || name === '-h' || name === 'help';
    process.stderr.write((help ? '' : `wmbus: unknown command "${name}"\n`) + usage() + '\n');
    return help ? 0 : 2;
  }
  // Loaded on demand through tsx's require hook (bin/wmbus.js), so one command's deps don't slow the others.
  const mod = require(entry.module) as CommandModule;
  return mod.run(args);
}
