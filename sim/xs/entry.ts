import { simulateInXs } from './simulate';

/** xsnap's host call: synchronous, bytes in and out. */
declare function issueCommand(request: ArrayBuffer): ArrayBuffer;

/** The script `npm run xs` bundles and evaluates in xsnap (sim/xs/run.node.ts). */
void simulateInXs(issueCommand);
