/** `wmbus <command> …`: each command is a module in bin/commands exporting `run(args): Promise<number>`. */
interface CommandModule {
  run(args: string[]): Promise<number>;
}

const COMMANDS: Readonly<Record<string, { module: string; summary: string }>> = {
  decode: { module: './commands/decode', summary: 'decode [--mode t1c1|s1] HEX…  chip streams after the sync word → frames' },
  frame: { module: './commands/frame', summary: 'frame HEX  a stored frame → all header fields' },
  bson2json: { module: './commands/bson2json', summary: 'bson2json FILE [--key BASE64]  BSON (or .aes) file → extended JSON' },
  json2bson: { module: './commands/json2bson', summary: 'json2bson FILE -o OUT [--key BASE64]  extended JSON → BSON with CRC' },
  config: { module: './commands/config', summary: 'config check FILE  the ACK the device would produce for a configuration' },
};

function usage(): string {
  return ['usage: wmbus <command> [args]', ...Object.values(COMMANDS).map((c) => '  wmbus ' + c.summary)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const entry = name === undefined ? undefined : COMMANDS[name];
  if (entry === undefined) {
    process.stderr.write(usage() + '\n');
    return name === undefined || name === '--help' ? 0 : 2;
  }
  // Loaded on demand through tsx's require hook (bin/wmbus.js), so one command's deps don't slow the others.
  const mod = require(entry.module) as CommandModule;
  return mod.run(args);
}
