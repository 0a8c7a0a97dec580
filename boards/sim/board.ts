import type { Board } from '../../tasks/board';

/**
 * The simulator board. The simulated device builds a fresh set of driver fakes for every boot
 * and installs it here before calling the firmware's `main()`, exactly as the ESP32 board module
 * builds its drivers at power-up.
 */
let installed: Board | undefined;

export function installBoard(board: Board): void {
  installed = board;
}

export function createBoard(): Board {
  if (installed === undefined) throw new Error('sim board: no simulated device is booting');
  return installed;
}
