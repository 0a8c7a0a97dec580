import type { Board, Identity } from '../tasks/board';
// `board`, not its path: every host build maps `board` to boards/sim/board (tsconfig.host.json, jest,
// esbuild, sim/moddable/manifest.json), and XS names modules by specifier, so main.ts's `board` is this one.
import { installBoard } from 'board';
import type { SettingValue } from '../drivers/settings/types';
import type { PowerSink, WakeCause } from '../drivers/power/types';
import type { Flash } from '../drivers/flash/types';
import type { ModemPort } from '../drivers/modem/types';
import main from '../main';
import type { EnergyLedger } from '../drivers/power/ledger';
import { SimBle } from './drivers/ble';
import { SimBuzzer, type HeardTone } from './drivers/buzzer';
import { SimClock } from './drivers/clock';
import { SimFiles } from './drivers/files';
import { SimFlash } from './drivers/flash';
import { PowerRail, TappedFlash } from './drivers/power-rail';
import { createOtaState, SimOta, type SimOtaState } from './drivers/ota';
import { SimGauge } from './drivers/gauge';
import { SimHall } from './drivers/hall';
import { SimPower } from './drivers/power';
import { SimRadio, type AirSource } from './drivers/radio';
import { SimRtc } from './drivers/rtc';
import { SimSettings } from './drivers/settings';
import { SimUsb, type UsbState } from './drivers/usb';
import { SimWatchdog } from './drivers/watchdog';
import type { SimEventId } from './world/types';
import type { SimWorld } from './world/world';

/** ESP32 wake from deep sleep to `main`: ROM, 2nd-stage bootloader, XS heap and module init. */
export const BOOT_ACTIVE_MS = 300;
/** Size of the ESP32's RTC slow memory the firmware may use across deep sleep. */
export const RETAINED_BYTES = 512;
/** One application slot of the 8 MB partition table (sdkconfig/partitions.csv). */
export const OTA_SLOT_BYTES = 0x1e0000;
/** A power cut lasts this long before the supply comes back (the pack reseated, a brown-out over). */
export const POWER_CUT_OFF_MS = 2_000;
/** What the factory flashed in slot 0 (the simulator runs this repository's firmware, whatever its bytes). */
export const FACTORY_IMAGE = Uint8Array.of(0x57, 0x4d, 0x46, 0x57);

/**
 * The firmware's reports go to the ledger except the modem's: in the simulator the emulated module
 * reports its physical power states itself, and the driver's own view would count them twice.
 */
function firmwareSink(ledger: PowerSink): PowerSink {
  return {
    report: (component, state) => {
      if (component !== 'modem') ledger.report(component, state);
    },
    charge: (component, state, ms) => {
      if (component !== 'modem') ledger.charge(component, state, ms);
    },
  };
}

export interface SimDeviceOptions {
  readonly identity: Identity;
  readonly world: SimWorld;
  readonly ledger: EnergyLedger;
  readonly air: AirSource;
  readonly frameFlash: Flash;
  readonly modem: ModemPort;
  readonly filesCapacity: number;
  readonly batteryCapacityMah: number;
  /** RTC error at power-on and its drift. */
  readonly rtcErrorMs: number;
  readonly rtcDriftPpm: number;
  /** Board temperature over time, tenths of °C. */
  readonly temperatureDeciC: (trueMs: number) => number;
  readonly console: (line: string) => void;
}

export interface SimDeviceStats {
  boots: number;
  bootsByCause: Record<string, number>;
  deepSleeps: number;
}

/** Firmware-side objects of one boot, dropped at deep sleep like the ESP32's RAM. */
interface BootInstance {
  readonly clock: SimClock;
  readonly hall: SimHall;
  readonly radio: SimRadio;
  readonly buzzer: SimBuzzer;
  readonly ble: SimBle;
  readonly usb: SimUsb;
  readonly watchdog: SimWatchdog;
}

/**
 * One simulated concentrator: the persistent parts (settings, files, flash, RTC, retained memory,
 * the modem) outlive boots; every boot gets new driver fakes and runs the firmware's `main()`.
 */
export class SimDevice {
  readonly settings = new Map<string, SettingValue>();
  readonly files = new Map<string, Uint8Array>();
  readonly retained = new Uint8Array(RETAINED_BYTES);
  readonly usbState: UsbState = { connected: false, inbox: [], written: new Map() };
  readonly heard: HeardTone[] = [];
  /** The beep patterns the installer heard, in order, as S and L (`--trace` prints each, the summary counts them). */
  readonly beeps: string[] = [];
  readonly ota: SimOtaState = createOtaState(FACTORY_IMAGE);
  readonly rtc: SimRtc;
  readonly stats: SimDeviceStats = { boots: 0, bootsByCause: {}, deepSleeps: 0 };
  /** The supply of the stores: power cuts are armed and made here (scenario `powerCut`, the campaign). */
  readonly rail = new PowerRail();
  private current: BootInstance | undefined;
  private powerOff = false;
  private wakeEvent: SimEventId | undefined;
  private magnetNear = false;
  private asleep = false;

  constructor(private readonly o: SimDeviceOptions) {
    this.rtc = new SimRtc(o.world, o.rtcErrorMs, o.rtcDriftPpm);
    this.rail.onCut(() => this.powerLost());
  }

  get awake(): boolean {
    return this.current !== undefined;
  }

  /** The board of the running boot (for tests and the scenario's BLE phone). */
  get instance(): BootInstance | undefined {
    return this.current;
  }

  /** The frame store's flash: what the box stored, for reading it back after a run. */
  get frameFlash(): Flash {
    return this.o.frameFlash;
  }

  /** A clock on the device's RTC for reading its state after a run (timers never fire). */
  clock(): SimClock {
    const c = new SimClock(this.o.world, this.rtc);
    c.shutdown();
    return c;
  }

  powerOn(): void {
    this.boot('power-on');
  }

  /** A magnet passes over the box: an edge while awake, a wake-up from deep sleep otherwise. */
  magnetPass(holdMs = 500): void {
    this.magnetNear = true;
    this.o.world.at(this.o.world.now() + holdMs, () => {
      this.magnetNear = false;
    });
    if (this.current !== undefined) this.current.hall.edge(this.rtc.now());
    else if (this.asleep) this.wake('hall');
  }

  /** The RESET button: a restart (with the magnet held, the firmware restores factory settings). */
  pressReset(magnetHeld: boolean): void {
    this.magnetNear = magnetHeld;
    this.shutdown();
    this.boot('reset');
  }

  /** The supply drops now, between two writes, and comes back after `POWER_CUT_OFF_MS`. */
  powerCut(): void {
    this.rail.instantCut();
  }

  /** The installer plugs the USB cable: it wakes the box. */
  plugUsb(files: { name: string; bytes: Uint8Array }[]): void {
    this.usbState.inbox.push(...files);
    this.usbState.connected = true;
    if (this.current !== undefined) this.current.usb.connect();
    else if (this.asleep) this.wake('usb');
  }

  private boot(cause: WakeCause): void {
    const o = this.o;
    const tap = this.rail.tap();
    this.asleep = false;
    this.powerOff = false;
    this.stats.boots++;
    this.stats.bootsByCause[cause] = (this.stats.bootsByCause[cause] ?? 0) + 1;
    o.ledger.report('mcu', 'active');
    o.ledger.charge('mcu', 'active', BOOT_ACTIVE_MS);
    const clock = new SimClock(o.world, this.rtc);
    const instance: BootInstance = {
      clock,
      hall: new SimHall(() => this.magnetNear),
      radio: new SimRadio(o.world, o.ledger, o.air),
      buzzer: new SimBuzzer(o.world, o.ledger, this.heard, (beeps) => {
        this.beeps.push(beeps);
        o.console(`buzzer ${beeps}`);
      }),
      ble: new SimBle(o.world, o.ledger),
      usb: new SimUsb(this.usbState),
      watchdog: new SimWatchdog(o.world, () => this.restart('watchdog')),
    };
    this.current = instance;
    const board: Board = {
      identity: o.identity,
      clock,
      power: new SimPower(cause, this.retained, {
        deepSleep: (until) => this.deepSleep(until),
        restart: () => this.restart('reset'),
      }),
      powerSink: firmwareSink(o.ledger),
      watchdog: instance.watchdog,
      radio: instance.radio,
      modem: o.modem,
      hall: instance.hall,
      buzzer: instance.buzzer,
      gauge: new SimGauge(o.batteryCapacityMah, {
        chargeUsedMah: () => o.ledger.snapshot().totalPackMah,
        temperatureDeciC: () => o.temperatureDeciC(o.world.now()),
        loadMa: () => 0,
      }),
      frameFlash: o.frameFlash instanceof SimFlash ? new TappedFlash(o.frameFlash, tap) : o.frameFlash,
      settings: new SimSettings(this.settings, tap),
      files: new SimFiles(this.files, o.filesCapacity, tap),
      usb: instance.usb,
      ble: instance.ble,
      ota: new SimOta(this.ota, { slotBytes: OTA_SLOT_BYTES, tap }),
      console: { log: (line) => o.console(line) },
    };
    installBoard(board);
    main();
  }

  private deepSleep(untilMs: number): void {
    this.shutdown();
    this.asleep = true;
    this.stats.deepSleeps++;
    this.o.ledger.report('mcu', 'deep-sleep');
    if (Number.isFinite(untilMs)) {
      this.wakeEvent = this.o.world.at(this.rtc.trueTimeOf(untilMs), () => this.wake('timer'));
    }
  }

  private wake(cause: WakeCause): void {
    if (this.wakeEvent !== undefined) this.o.world.cancel(this.wakeEvent);
    this.wakeEvent = undefined;
    this.boot(cause);
  }

  private restart(cause: WakeCause): void {
    // A restart from inside a firmware call: finish the current event, then boot.
    this.shutdown();
    this.o.world.at(this.o.world.now(), () => this.boot(cause));
  }

  /**
   * The supply is gone: RAM, the RTC slow memory and the modem lose power with the CPU; flash,
   * NVS and the file system keep what was written. The box boots again as at power-on.
   */
  private powerLost(): void {
    if (this.powerOff) return;
    this.powerOff = true;
    this.shutdown();
    this.asleep = false;
    if (this.wakeEvent !== undefined) this.o.world.cancel(this.wakeEvent);
    this.wakeEvent = undefined;
    this.retained.fill(0);
    this.o.modem.setSupply(false);
    this.o.world.at(this.o.world.now() + POWER_CUT_OFF_MS, () => this.boot('power-on'));
  }

  /** Drops the running boot: its timers, callbacks and radio listening end with it. */
  private shutdown(): void {
    const c = this.current;
    if (c === undefined) return;
    c.clock.shutdown();
    c.radio.detach();
    c.buzzer.stop();
    c.ble.disable();
    c.watchdog.stop();
    this.current = undefined;
  }
}
