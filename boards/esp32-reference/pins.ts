import { freezeTable } from '../../protocol/freeze';

/**
 * Reference board: ESP32-WROOM-32E-N8 (8 MB flash, no PSRAM, so GPIO 16/17 are free), TI CC1101
 * on a 26 MHz crystal, Quectel BG95-M3, TI DRV5032 Hall switch, piezo buzzer, TI BQ35100 gauge.
 *
 * Choices: no strapping pin (0, 2, 5, 12, 15) except the VSPI CSn on 5, which the CC1101 CSn
 * pull-up holds high at boot as GPIO 5 wants; every pin that must wake the MCU from deep sleep is
 * an RTC GPIO (ext0/ext1: 0, 2, 4, 12–15, 25–27, 32–39); inputs that need an internal pull avoid
 * 34–39, which have none.
 *
 * Board rules the firmware relies on: 100 kΩ pull-up on CC1101 CSn (a floating CSn wakes the
 * chip), 100 kΩ pull-down on the modem supply enable and on the PWRKEY transistor base (the
 * modem stays off and unpressed while the pads float in deep sleep).
 */
export const PINS = freezeTable({
  radio: {
    /** VSPI = SPI3_HOST: value 2 in the ESP-IDF spi_host_device_t the SDK's SPI `port` takes. */
    spiPort: 2,
    sck: 18,
    miso: 19,
    mosi: 23,
    csn: 5,
    /** GDO0: RX FIFO threshold. RTC GPIO so light sleep could use it as an ext1 source. */
    gdo0: 4,
    /** GDO2: sync word / end of packet. */
    gdo2: 27,
  },
  modem: {
    /** UART2; UART0 is the console / xsbug link. */
    uartPort: 2,
    baud: 115_200,
    tx: 17,
    rx: 16,
    /** High turns the NPN on, which pulls BG95 PWRKEY low (pressed). */
    pwrkey: 13,
    pwrkeyPressedLevel: 1,
    /** BG95 STATUS through a level shifter: high while the module runs. Input-only pad is fine. */
    status: 35,
    statusRunningLevel: 1,
    /** TPS22917 load-switch enable; RTC GPIO so its level can be latched through deep sleep. */
    supplyEnable: 25,
  },
  hall: {
    /** DRV5032 push-pull output, low while a magnet is present; RTC GPIO 8 for ext0 wake. */
    pin: 33,
    activeLevel: 0,
  },
  /** USB VBUS through a divider, high when a cable is connected: RTC GPIO 9 for ext1 wake. */
  usbVbus: 32,
  buzzer: {
    pin: 26,
  },
  gauge: {
    i2cPort: 0,
    sda: 21,
    scl: 22,
    i2cHz: 100_000,
    /** BQ35100 GE (gauge enable). */
    enable: 14,
  },
} as const);

/** The frame store's raw data partition (partitions.csv). */
export const FRAME_STORE_PARTITION = 'framestore';
/** NVS namespace of the settings. */
export const SETTINGS_DOMAIN = 'wmbus';
/** LittleFS root (the SDK's `file` module mounts the `storage` partition at "/"). */
export const FILES_ROOT = '/';
/** Rated capacity of the Li-SOCl₂ pack (docs/power-model.md: two Saft LS 33600 in series, derated). */
export const PACK_CAPACITY_MAH = 14_000;
export const HARDWARE_VERSION = 'esp32-ref-1';
