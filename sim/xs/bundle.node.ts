import * as path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Bundles a simulator entry with the firmware into one script for XS: ES2022, no Node modules,
 * `board` resolved to the simulator board (on the device the manifest maps it to the ESP32 board).
 */
export async function bundleForXs(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [path.resolve(ROOT, entry)],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    alias: { board: path.resolve(ROOT, 'boards/sim/board.ts') },
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
