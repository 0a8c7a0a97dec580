// Runs a bundled script inside xsnap (XS) and feeds it JSON requests: the jest suites are
// CommonJS and @agoric/xsnap is ESM-only, so the test starts this as a child process.
// Usage: node driver.mjs BUNDLE.js REQUESTS.json  → prints the JSON array of replies.
import '@endo/init';
import { spawn } from 'child_process';
import fs from 'fs';
import fsp from 'fs/promises';
import os from 'os';
import tmp from 'tmp';
import { xsnap } from '@agoric/xsnap';

const [bundlePath, requestsPath] = process.argv.slice(2);
const worker = await xsnap({
  os: os.type(),
  spawn,
  name: 'protocol-files',
  stdout: 'inherit',
  stderr: 'inherit',
  fs: { ...fsp, createReadStream: fs.createReadStream, tmpName: tmp.tmpName },
});
try {
  await worker.evaluate(fs.readFileSync(bundlePath, 'utf8'));
  const replies = [];
  for (const request of JSON.parse(fs.readFileSync(requestsPath, 'utf8'))) {
    const { reply } = await worker.issueCommand(new TextEncoder().encode(JSON.stringify(request)));
    replies.push(JSON.parse(new TextDecoder().decode(reply)));
  }
  process.stdout.write(JSON.stringify(replies));
} finally {
  await worker.close();
}
