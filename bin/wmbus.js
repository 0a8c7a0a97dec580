#!/usr/bin/env node
// The field-engineer CLI: runs the TypeScript sources through tsx so no build step is needed.
require('tsx/cjs');
// `wmbus decode … | head`: a closed pipe ends the output quietly instead of an EPIPE stack trace.
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0); throw err; });
require('./cli.ts').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.message ? err.message : err); process.exitCode = 2; },
);
