/** ESP32 settings (NVS via `preference`), file store (LittleFS via `file`) and flash partition, on fakes. */
import { Esp32FileStore, TEMP_PREFIX, type FileHandle, type FileModule } from '../../drivers/esp32/files';
import { Esp32Flash, type FlashPartition } from '../../drivers/esp32/flash';
import { decodeSetting, encodeSetting, Esp32Settings, type PreferenceModule } from '../../drivers/esp32/settings';
import { RecordingSink } from './esp32-fakes';

type PrefValue = string | boolean | number | ArrayBuffer;

/** The ESP32 preference module's storage rules: booleans, int32, strings, blobs; floats refused. */
class FakePreference implements PreferenceModule {
  readonly store = new Map<string, PrefValue>();
  get(domain: string, key: string): PrefValue | undefined {
    const v = this.store.get(domain + '/' + key);
    return v instanceof ArrayBuffer ? v.slice(0) : v;
  }
  set(domain: string, key: string, value: PrefValue): void {
    if (typeof value === 'number' && (!Number.isInteger(value) || value > 0x7fffffff || value < -0x80000000)) {
      throw new Error('float unsupported');
    }
    this.store.set(domain + '/' + key, value instanceof ArrayBuffer ? value.slice(0) : value);
  }
  delete(domain: string, key: string): void {
    this.store.delete(domain + '/' + key);
  }
  keys(domain: string): string[] {
    return [...this.store.keys()].filter((k) => k.startsWith(domain + '/')).map((k) => k.slice(domain.length + 1));
  }
}

describe('settings on NVS', () => {
  const values: [string, unknown][] = [
    ['boolean', true],
    ['int32', -123456],
    ['int32 max', 0x7fffffff],
    ['fraction', 3.25],
    ['beyond int32 (a UTC time in ms)', 1_700_000_000_000],
    ['string', 'apn.example'],
    ['string with U+0000', 'a\u0000b'],
    ['bytes', Uint8Array.of(0, 1, 254, 255)],
    ['empty bytes', new Uint8Array(0)],
  ];

  test.each(values)('%s survives set/get', (_name, value) => {
    const settings = new Esp32Settings(new FakePreference(), 'wmbus');
    settings.set('k', value as never);
    expect(settings.get('k')).toEqual(value);
  });

  test('int32 numbers and plain strings are stored natively, others as tagged blobs', () => {
    expect(encodeSetting(42)).toBe(42);
    expect(encodeSetting('x')).toBe('x');
    expect(new Uint8Array(encodeSetting(0.5) as ArrayBuffer)).toEqual(Uint8Array.of(0x01, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f));
    expect(new Uint8Array(encodeSetting(Uint8Array.of(7)) as ArrayBuffer)).toEqual(Uint8Array.of(0x00, 7));
  });

  test('an unknown blob tag reads as absent', () => {
    expect(decodeSetting(Uint8Array.of(0x7f, 1).buffer)).toBeUndefined();
    expect(decodeSetting(new ArrayBuffer(0))).toBeUndefined();
  });

  test('keys are listed sorted, deletes remove them', () => {
    const settings = new Esp32Settings(new FakePreference(), 'wmbus');
    settings.set('wl', Uint8Array.of(1));
    settings.set('cfg', 'x');
    settings.set('ctr', 1);
    settings.delete('ctr');
    expect(settings.keys()).toEqual(['cfg', 'wl']);
    expect(settings.get('ctr')).toBeUndefined();
  });

  test('NVS names are limited to 15 characters', () => {
    expect(() => new Esp32Settings(new FakePreference(), 'a-very-long-domain')).toThrow(RangeError);
    const settings = new Esp32Settings(new FakePreference(), 'wmbus');
    expect(() => settings.set('sixteen-chars-xx', 1)).toThrow(RangeError);
  });
});

/** LittleFS as the Moddable `file` module shows it: flat root, rename replaces atomically. */
class FakeFs {
  readonly files = new Map<string, Uint8Array>();
  readonly renames: [string, string][] = [];
  total = 1_048_576;
  /** Renames fail like SPIFFS when the target exists. */
  spiffs = false;
  failWriteOf: string | undefined;

  module(): FileModule {
    const fs = this;
    class FakeFile implements FileHandle {
      private data: Uint8Array;
      constructor(private readonly path: string, write = false) {
        const existing = fs.files.get(path);
        if (existing === undefined && !write) throw new Error('file not found');
        this.data = existing ?? new Uint8Array(0);
        if (write) fs.files.set(path, this.data);
      }
      get length(): number {
        return this.data.length;
      }
      read(_type: typeof ArrayBuffer): ArrayBuffer {
        if (this.data.length === 0) throw new Error('read past end of file');
        return this.data.slice().buffer;
      }
      write(value: ArrayBuffer): void {
        if (fs.failWriteOf === this.path) throw new Error('LFS_ERR: -28');
        const bytes = new Uint8Array(value);
        const merged = new Uint8Array(Math.max(this.data.length, bytes.length));
        merged.set(this.data);
        merged.set(bytes); // LittleFS opened without O_TRUNC: old bytes past the end remain
        this.data = merged;
        fs.files.set(this.path, merged);
      }
      close(): void {}
      static delete(path: string): boolean {
        return fs.files.delete(path);
      }
      static exists(path: string): boolean {
        return fs.files.has(path);
      }
      static rename(from: string, to: string): boolean {
        const data = fs.files.get(from);
        if (data === undefined || (fs.spiffs && fs.files.has(to))) return false;
        fs.files.delete(from);
        fs.files.set(to, data);
        fs.renames.push([from, to]);
        return true;
      }
    }
    class FakeIterator {
      private names: string[];
      constructor(path: string) {
        this.names = [...fs.files.keys()].filter((p) => p.startsWith(path)).map((p) => p.slice(path.length));
      }
      next(): { name: string; length?: number } | undefined {
        const name = this.names.shift();
        return name === undefined ? undefined : { name, length: fs.files.get('/' + name)!.length };
      }
    }
    const System = { info: () => ({ total: fs.total, used: [...fs.files.values()].reduce((n, f) => n + f.length, 0) }) };
    return { File: FakeFile, Iterator: FakeIterator, System };
  }
}

describe('file store on LittleFS', () => {
  test('write then read returns the bytes; missing files read as undefined', () => {
    const fs = new FakeFs();
    const store = new Esp32FileStore(fs.module());
    store.write('ack_1.bson', Uint8Array.of(1, 2, 3));
    expect(store.read('ack_1.bson')).toEqual(Uint8Array.of(1, 2, 3));
    expect(store.read('nope')).toBeUndefined();
  });

  test('writes go to a temporary file renamed over the old one', () => {
    const fs = new FakeFs();
    const store = new Esp32FileStore(fs.module());
    store.write('data.bson', Uint8Array.of(9, 9, 9, 9));
    store.write('data.bson', Uint8Array.of(1));
    expect(fs.renames.at(-1)).toEqual(['/' + TEMP_PREFIX + 'data.bson', '/data.bson']);
    expect(store.read('data.bson')).toEqual(Uint8Array.of(1));
  });

  test('a write that fails half way leaves the previous version', () => {
    const fs = new FakeFs();
    const store = new Esp32FileStore(fs.module());
    store.write('cfg.bson', Uint8Array.of(1, 2));
    fs.failWriteOf = '/' + TEMP_PREFIX + 'cfg.bson';
    expect(() => store.write('cfg.bson', Uint8Array.of(3, 4, 5))).toThrow();
    expect(store.read('cfg.bson')).toEqual(Uint8Array.of(1, 2));
  });

  test('temporary files left by a power cut are removed and never listed', () => {
    const fs = new FakeFs();
    fs.files.set('/' + TEMP_PREFIX + 'x', Uint8Array.of(1));
    fs.files.set('/b', Uint8Array.of(2));
    fs.files.set('/a', Uint8Array.of(3));
    const store = new Esp32FileStore(fs.module());
    expect(fs.files.has('/' + TEMP_PREFIX + 'x')).toBe(false);
    expect(store.list()).toEqual(['a', 'b']);
  });

  test('list filters by prefix in lexical order', () => {
    const fs = new FakeFs();
    const store = new Esp32FileStore(fs.module());
    for (const n of ['out_2', 'ack_1', 'out_1']) store.write(n, Uint8Array.of(0));
    expect(store.list('out_')).toEqual(['out_1', 'out_2']);
  });

  test('empty files read as zero bytes', () => {
    const fs = new FakeFs();
    const store = new Esp32FileStore(fs.module());
    store.write('empty', new Uint8Array(0));
    expect(store.read('empty')).toEqual(new Uint8Array(0));
  });

  test('on a file system whose rename refuses an existing target, the old file is replaced', () => {
    const fs = new FakeFs();
    fs.spiffs = true;
    const store = new Esp32FileStore(fs.module());
    store.write('f', Uint8Array.of(1));
    store.write('f', Uint8Array.of(2));
    expect(store.read('f')).toEqual(Uint8Array.of(2));
  });

  test('rename, delete and free space', () => {
    const fs = new FakeFs();
    const store = new Esp32FileStore(fs.module());
    store.write('a', new Uint8Array(100));
    store.rename('a', 'b');
    expect(store.list()).toEqual(['b']);
    expect(store.free()).toBe(1_048_576 - 100);
    store.delete('b');
    expect(store.list()).toEqual([]);
  });

  test('names with a slash or the temporary prefix are refused', () => {
    const store = new Esp32FileStore(new FakeFs().module());
    expect(() => store.write('dir/x', Uint8Array.of(1))).toThrow(RangeError);
    expect(() => store.write(TEMP_PREFIX + 'x', Uint8Array.of(1))).toThrow(RangeError);
  });
});

class FakePartition implements FlashPartition {
  readonly bytes: Uint8Array;
  readonly blockSize = 4096;
  constructor(readonly name: string, size = 8 * 4096) {
    this.bytes = new Uint8Array(size).fill(0xff);
  }
  get byteLength(): number {
    return this.bytes.length;
  }
  read(offset: number, byteLength: number): ArrayBuffer {
    return this.bytes.slice(offset, offset + byteLength).buffer;
  }
  write(offset: number, byteLength: number, buffer: ArrayBuffer): void {
    const src = new Uint8Array(buffer, 0, byteLength);
    for (let i = 0; i < byteLength; i++) this.bytes[offset + i] &= src[i];
  }
  erase(sector: number): void {
    this.bytes.fill(0xff, sector * this.blockSize, (sector + 1) * this.blockSize);
  }
}

describe('frame-store flash partition', () => {
  function flash() {
    let partition: FakePartition | undefined;
    const sink = new RecordingSink();
    const f = new Esp32Flash(
      class extends FakePartition {
        constructor(name: string) {
          super(name);
          partition = this;
        }
      },
      'framestore',
      sink,
    );
    return { f, sink, partition: partition! };
  }

  test('opens the named partition and reports its geometry', () => {
    const { f, partition } = flash();
    expect(partition.name).toBe('framestore');
    expect(f.size).toBe(8 * 4096);
    expect(f.sectorSize).toBe(4096);
  });

  test('program clears bits only; erase sets a sector back to 0xFF', () => {
    const { f } = flash();
    f.program(10, Uint8Array.of(0xf0, 0x0f));
    f.program(10, Uint8Array.of(0x3c, 0xff));
    expect(f.read(10, 2)).toEqual(Uint8Array.of(0x30, 0x0f));
    f.eraseSector(0);
    expect(f.read(10, 2)).toEqual(Uint8Array.of(0xff, 0xff));
  });

  test('charges the energy ledger per page programmed and per sector erased', () => {
    const { f, sink } = flash();
    f.program(250, new Uint8Array(10)); // spans two 256-byte pages
    f.eraseSector(1);
    expect(sink.charges).toEqual([
      ['flash', 'program', 0.8],
      ['flash', 'erase', 45],
    ]);
  });

  test('program time reaches the ledger in batches of 64 pages, and all of it before an erase', () => {
    const { f, sink } = flash();
    for (let page = 0; page < 63; page++) f.program(page * 256 + 7, Uint8Array.of(0));
    expect(sink.charges).toEqual([]);
    f.program(63 * 256, Uint8Array.of(0));
    expect(sink.charges).toEqual([['flash', 'program', 64 * 0.4]]);
    f.program(64 * 256 + 250, new Uint8Array(10)); // spans two pages
    f.eraseSector(7);
    expect(sink.charges.slice(1)).toEqual([
      ['flash', 'program', 0.8],
      ['flash', 'erase', 45],
    ]);
  });

  test('a view writes its own bytes only, wherever it sits in its buffer', () => {
    const { f } = flash();
    const buffer = Uint8Array.of(1, 2, 3, 4, 5, 6);
    f.program(0, buffer.subarray(0, 2));
    f.program(8, buffer.subarray(3, 5));
    expect(f.read(0, 3)).toEqual(Uint8Array.of(1, 2, 0xff));
    expect(f.read(8, 3)).toEqual(Uint8Array.of(4, 5, 0xff));
  });

  test('accesses outside the partition are refused', () => {
    const { f } = flash();
    expect(() => f.read(8 * 4096 - 1, 2)).toThrow(RangeError);
    expect(() => f.read(-1, 2)).toThrow(RangeError);
    expect(() => f.read(0.5, 2)).toThrow(RangeError);
    expect(() => f.program(8 * 4096 - 1, Uint8Array.of(0, 0))).toThrow(RangeError);
    expect(() => f.program(-1, Uint8Array.of(0))).toThrow(RangeError);
    expect(() => f.program(Number.NaN, Uint8Array.of(0))).toThrow(RangeError);
    expect(() => f.eraseSector(8)).toThrow(RangeError);
  });
});
