#!/usr/bin/env node
// The field-engineer CLI: runs the TypeScript sources through tsx so no build step is needed.
// Host modules (the simulator behind `wmbus plan`) resolve the build alias `board` to the simulated board.
process.env.TSX_TSCONFIG_PATH = require('path').join(__dirname, '..', 'tsconfig.host.json');
require('tsx/cjs');
// `wmbus decode … | head`: a closed pipe ends the output quietly instead of an EPIPE stack trace.
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0); throw err; });
require('./cli.ts').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.message ? err.message : err); process.exitCode = 2; },
);
