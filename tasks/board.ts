import type { BleLink } from '../drivers/ble/types';
import type { Buzzer } from '../drivers/buzzer/types';
import type { Clock } from '../protocol/ports/clock';
import type { FileStore } from '../drivers/files/types';
import type { Flash } from '../drivers/flash/types';
import type { BatteryGauge } from '../drivers/gauge/types';
import type { HallSensor } from '../drivers/hall/types';
import type { ModemPort } from '../drivers/modem/types';
import type { PowerControl, PowerSink } from '../drivers/power/types';
import type { SubGhzRadio } from '../drivers/radio/types';
import type { Settings } from '../drivers/settings/types';
import type { UsbDrive } from '../drivers/usb/types';
import type { Watchdog } from '../drivers/watchdog/types';
import type { Ota } from '../drivers/ota/types';
import type { BlockCipher, HashFactory } from '../protocol/crypto/types';
import type { WmbusKernels } from '../protocol/wmbus/kernels';

/** Where the firmware writes human-readable trace lines (serial console / simulator log). */
export interface Console {
  log(line: string): void;
}

/** Fixed facts about one unit, burnt at manufacturing. */
export interface Identity {
  /** Unique id used in file names and the FTP inbox (`<uid>`). */
  readonly uid: string;
  /** Serial number printed on the label. */
  readonly sn: string;
  readonly hardwareVersion: string;
}

/** Everything the application needs from a board; nothing else knows which board it runs on. */
export interface Board {
  readonly identity: Identity;
  readonly clock: Clock;
  readonly power: PowerControl;
  readonly powerSink: PowerSink;
  readonly watchdog: Watchdog;
  readonly radio: SubGhzRadio;
  readonly modem: ModemPort;
  readonly hall: HallSensor;
  readonly buzzer: Buzzer;
  readonly gauge: BatteryGauge;
  /** The frame-store partition. */
  readonly frameFlash: Flash;
  readonly settings: Settings;
  readonly files: FileStore;
  readonly usb: UsbDrive | undefined;
  readonly ble: BleLink | undefined;
  /** The two application slots for firmware updates; undefined where the board cannot update itself. */
  readonly ota: Ota | undefined;
  readonly console: Console;
  /** Native byte loops for the radio receive path (CRC, chip decoding); the portable TypeScript ones when absent. */
  readonly wmbusKernels?: WmbusKernels;
  /** AES for the file codec (native on the device); the portable TypeScript AES when absent. */
  readonly blockCipher?: BlockCipher;
  /** SHA-256/SHA-512 for the firmware image checks (native on the device); the portable TypeScript ones when absent. */
  readonly hashes?: HashFactory;
}
