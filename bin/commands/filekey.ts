import { base64Decode } from '../../protocol/text/base64';
import { fromHex } from '../../protocol/text/utf8';
import { AES128_KEY_BYTES } from '../../protocol/crypto/types';

/**
 * The `--key` argument of bson2json/json2bson: base64 as in the configuration file, or the hex form
 * the manual also prints (`44:00:AA:…`, §4.2.1.2). Returns an error message when it is neither.
 */
export function parseKeyArgument(text: string): Uint8Array | string {
  const key = base64Decode(text) ?? fromHex(text);
  if (key === undefined) return `--key: "${text}" is neither base64 nor hex`;
  if (key.length !== AES128_KEY_BYTES) return `--key: AES-128 keys are ${AES128_KEY_BYTES} bytes, got ${key.length}`;
  return key;
}

/** Splits `args` into positionals and `--name value` options (only the names in `valued`). */
export function parseArgs(args: string[], valued: readonly string[]): { positional: string[]; options: Map<string, string>; error?: string } {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    if (!valued.includes(arg)) return { positional, options, error: `unknown option ${arg}` };
    const value = args[i + 1];
    if (value === undefined) return { positional, options, error: `${arg} needs a value` };
    options.set(arg, value);
    i++;
  }
  return { positional, options };
}
