import { call } from 'host_bridge';
import { simulateInXs } from '../xs/simulate';

/**
 * Entry of the Moddable host build (sim/moddable/manifest.json, x-cli-lin): the firmware, the
 * simulator board, the fakes and the world preloaded as on the ESP32. xs_main.c calls this default
 * export once the preloaded machine is ready; the run talks to its Node host (sim/moddable/run.node.ts)
 * through `host_bridge`. Nothing runs at module load: preloading runs module bodies at build time.
 */
export default function main(): void {
  void simulateInXs(call);
}
