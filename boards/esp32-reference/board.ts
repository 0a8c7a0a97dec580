import Digital from 'embedded:io/digital';
import I2C from 'embedded:io/i2c';
import PWM from 'embedded:io/pwm';
import Serial from 'embedded:io/serial';
import SPI from 'embedded:io/spi';
import Flash from 'flash';
import { File, Iterator, System } from 'file';
import Preference from 'preference';
import Timer from 'timer';
import { BlockCipher, Digest } from 'crypt';
import native from 'esp32_power';
import otaNative from 'esp32_ota';
import wmbusKernels from 'wmbus_kernels';
import { EnergyLedger } from '../../drivers/power/ledger';
import type { Board, Console, Identity } from '../../tasks/board';

import type { Settings } from '../../drivers/settings/types';
import { Esp32Aes } from '../../drivers/esp32/aes';
import { Esp32Buzzer } from '../../drivers/esp32/buzzer';
import { esp32Hashes } from '../../drivers/esp32/digest';
import { CC1101_SPI_HZ, Cc1101 } from '../../drivers/esp32/cc1101';
import { Esp32Clock } from '../../drivers/esp32/clock';
import { Esp32FileStore } from '../../drivers/esp32/files';
import { Esp32Flash } from '../../drivers/esp32/flash';
import { Esp32Gauge } from '../../drivers/esp32/gauge';
import { Esp32Hall } from '../../drivers/esp32/hall';
import { Esp32ModemPort } from '../../drivers/esp32/modem-port';
import { Esp32Ota } from '../../drivers/esp32/ota';
import { Esp32Power } from '../../drivers/esp32/power';
import { Esp32Settings } from '../../drivers/esp32/settings';
import { Esp32Watchdog } from '../../drivers/esp32/watchdog';
import {
  FILES_ROOT,
  FRAME_STORE_PARTITION,
  HARDWARE_VERSION,
  PACK_CAPACITY_MAH,
  PINS,
  SETTINGS_DOMAIN,
} from './pins';
import { freezeTable } from '../../protocol/freeze';

/** Settings written at manufacturing; absent on a development board. */
const IDENTITY_KEYS = freezeTable({ uid: 'uid', sn: 'sn', hardware: 'hw' } as const);

/** Automatic light sleep between radio interrupts: off until verified on the bench (docs/device-build.md). */
const LIGHT_SLEEP = false;

/** XS's global `trace` writes to the serial console (and to xsbug in debug builds). */
function xsTrace(text: string): void {
  (globalThis as unknown as { trace(text: string): void }).trace(text);
}

function stringSetting(settings: Settings, key: string): string | undefined {
  const value = settings.get(key);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function identityOf(settings: Settings): Identity {
  const uid = stringSetting(settings, IDENTITY_KEYS.uid) ?? native.chipId();
  return {
    uid,
    sn: stringSetting(settings, IDENTITY_KEYS.sn) ?? uid,
    hardwareVersion: stringSetting(settings, IDENTITY_KEYS.hardware) ?? HARDWARE_VERSION,
  };
}

/**
 * Builds the ESP32 reference board's drivers for this boot. Every wake from deep sleep is a
 * reboot, so this runs once per wake: pads latched through the sleep are re-driven to their
 * latched level before the latches are released, then every part that must sleep again is
 * registered with the power control.
 */
export function createBoard(): Board {
  const delayMs = (ms: number): void => Timer.delay(ms);
  const clock = new Esp32Clock(Timer, native);
  // The same ledger as the simulator's, on the RTC: the device's own charge-used estimate.
  const powerSink = new EnergyLedger(clock);
  const settings = new Esp32Settings(Preference, SETTINGS_DOMAIN);

  // Light sleep is blocked while the modem's UART is live or a packet is on the air.
  const awake = { modem: false, radio: false };
  const holdAwake = (part: 'modem' | 'radio', on: boolean): void => {
    awake[part] = on;
    native.holdAwake(awake.modem || awake.radio);
  };

  const supplyHeld = native.heldLevel(PINS.modem.supplyEnable);
  const modem = new Esp32ModemPort({
    serial: { io: Serial, transmit: PINS.modem.tx, receive: PINS.modem.rx, baud: PINS.modem.baud, port: PINS.modem.uartPort },
    powerKey: { io: Digital, pin: PINS.modem.pwrkey, pressedLevel: PINS.modem.pwrkeyPressedLevel },
    status: { io: Digital, pin: PINS.modem.status, runningLevel: PINS.modem.statusRunningLevel },
    supply: { io: Digital, pin: PINS.modem.supplyEnable, initial: supplyHeld === 1 ? 1 : 0 },
    holdAwake: (hold) => holdAwake('modem', hold),
  });

  const radio = new Cc1101({
    spi: {
      io: SPI,
      clock: PINS.radio.sck,
      in: PINS.radio.miso,
      out: PINS.radio.mosi,
      select: PINS.radio.csn,
      hz: CC1101_SPI_HZ,
      port: PINS.radio.spiPort,
    },
    gdo0: { io: Digital, pin: PINS.radio.gdo0 },
    gdo2: { io: Digital, pin: PINS.radio.gdo2 },
    clock,
    powerSink,
    delayMs,
    onBusy: (busy) => holdAwake('radio', busy),
  });

  const gauge = new Esp32Gauge({
    i2c: { io: I2C, data: PINS.gauge.sda, clock: PINS.gauge.scl, hz: PINS.gauge.i2cHz, port: PINS.gauge.i2cPort },
    enable: { io: Digital, pin: PINS.gauge.enable },
    capacityMah: PACK_CAPACITY_MAH,
    clock,
    delayMs,
  });

  native.releaseHolds();

  const power = new Esp32Power(native, clock, powerSink, {
    hallPin: PINS.hall.pin,
    hallLevel: PINS.hall.activeLevel,
    usbPin: PINS.usbVbus,
  });
  power.holdThroughSleep({ pin: PINS.modem.supplyEnable, level: () => modem.supplyLevel() });
  power.onBeforeSleep(() => radio.sleep());
  power.onBeforeSleep(() => gauge.stop());
  gauge.start();
  native.lightSleep(LIGHT_SLEEP);

  const log: Console = { log: (line) => xsTrace(line + '\n') };

  return {
    identity: identityOf(settings),
    clock,
    power,
    powerSink,
    watchdog: new Esp32Watchdog(native),
    radio,
    modem,
    hall: new Esp32Hall({ io: Digital, pin: PINS.hall.pin, activeLevel: PINS.hall.activeLevel, clock }),
    buzzer: new Esp32Buzzer({ io: PWM, pin: PINS.buzzer.pin, clock, powerSink }),
    gauge,
    frameFlash: new Esp32Flash(Flash, FRAME_STORE_PARTITION, powerSink),
    settings,
    files: new Esp32FileStore({ File, Iterator, System }, FILES_ROOT),
    usb: undefined,
    ble: undefined,
    // native/esp32_ota.c: ota_0 / ota_1 under ESP-IDF app rollback.
    ota: new Esp32Ota(otaNative),
    console: log,
    // native/wmbus_kernels.c: the receive path's byte loops in C instead of interpreted TypeScript.
    wmbusKernels,
    // Moddable's crypt module: the file codec's AES rounds in C.
    blockCipher: new Esp32Aes(BlockCipher),
    // The same module's Digest: the firmware image's SHA-256 and the SHA-512 inside Ed25519 in C.
    hashes: esp32Hashes(Digest),
  };
}
