/**
 * The slice of the Moddable SDK / ECMA-419 modules the ESP32 board imports, shaped like the SDK's
 * own `typings/` so the same sources also type-check under `mcconfig` (which uses the SDK's
 * typings instead of this file). Only what `boards/esp32-reference` and `drivers/esp32` use.
 */

declare module 'embedded:io/spi' {
  type Buffer = ArrayBuffer | Uint8Array;
  export default class SPI {
    constructor(options: {
      out?: number;
      in?: number;
      clock: number;
      select?: number;
      active?: 0 | 1;
      hz: number;
      mode?: number;
      port: number;
    });
    read(byteLength: number): ArrayBuffer;
    write(buffer: Buffer): void;
    transfer(buffer: Buffer): void;
    flush(deselect?: boolean): void;
  }
}

declare module 'embedded:io/digital' {
  /** The SDK's typings (`typings/embedded_io/digital.d.ts`) give the mode constants as numbers. */
  type Mode = number;
  export default class Digital {
    static readonly Input: Mode;
    static readonly InputPullUp: Mode;
    static readonly InputPullDown: Mode;
    static readonly Output: Mode;
    static readonly Rising: number;
    static readonly Falling: number;
    constructor(options: {
      pin: number;
      mode: Mode;
      edge?: number;
      onReadable?: (this: Digital) => void;
    });
    read(): 0 | 1;
    write(value: 0 | 1): void;
    close(): void;
  }
}

declare module 'embedded:io/serial' {
  type Buffer = ArrayBuffer | Uint8Array;
  export default class Serial {
    constructor(options: {
      transmit?: number;
      receive?: number;
      baud: number;
      port: number;
      format?: 'number' | 'buffer';
      onReadable?: (this: Serial, bytes: number) => void;
      onWritable?: (this: Serial, bytes: number) => void;
    });
    read(byteLength?: number): ArrayBuffer | undefined;
    write(value: Buffer): void;
    close(): void;
  }
}

declare module 'embedded:io/i2c' {
  type Buffer = ArrayBuffer | Uint8Array;
  export default class I2C {
    constructor(options: { data: number; clock: number; hz: number; address: number; port?: number });
    read(byteLength: number, stop?: boolean): ArrayBuffer;
    write(value: Buffer, stop?: boolean): void;
    close(): void;
  }
}

declare module 'embedded:io/pwm' {
  export default class PWM {
    constructor(options: { pin: number; hz?: number; resolution?: number; port?: number });
    readonly resolution: number;
    readonly hz: number;
    write(value: number): void;
    close(): void;
  }
}

declare module 'timer' {
  type TimerID = unknown;
  const Timer: {
    set(callback: (id: TimerID) => void, interval?: number, repeat?: number): TimerID;
    clear(id: TimerID): void;
    delay(ms: number): void;
  };
  export default Timer;
}

declare module 'preference' {
  const Preference: {
    set(domain: string, key: string, value: string | boolean | number | ArrayBuffer): void;
    get(domain: string, key: string): string | boolean | number | ArrayBuffer | undefined;
    delete(domain: string, key: string): void;
    keys(domain: string): string[];
  };
  export default Preference;
}

declare module 'flash' {
  export default class Flash {
    constructor(partition: string);
    erase(sector: number): void;
    read(offset: number, byteLength: number): ArrayBuffer;
    write(offset: number, byteLength: number, buffer: ArrayBuffer): void;
    readonly byteLength: number;
    readonly blockSize: number;
  }
}

declare module 'file' {
  export class File {
    constructor(path: string, write?: boolean);
    read(type: typeof ArrayBuffer, bytes?: number): ArrayBuffer;
    write(value: ArrayBuffer | string, ...more: (ArrayBuffer | string)[]): void;
    close(): void;
    readonly length: number;
    position: number;
    static delete(path: string): boolean;
    static exists(path: string): boolean;
    static rename(from: string, to: string): boolean;
  }
  export class Iterator {
    constructor(path: string);
    next(): { name: string; length?: number } | undefined;
  }
  export class System {
    static info(): { used: number; total: number };
  }
}


declare module 'crypt' {
  /**
   * The SDK's typings/crypt.d.ts declares Digest (the device build uses that one); BlockCipher, which
   * it leaves out, is in types/crypt_blockcipher.d.ts for both builds.
   */
  export class Digest {
    constructor(type: 'MD5' | 'SHA1' | 'SHA224' | 'SHA256' | 'SHA384' | 'SHA512');
    write(message: string | ArrayBuffer): void;
    close(): ArrayBuffer;
    reset(): void;
    get blockSize(): number;
    get outputSize(): number;
  }
}
