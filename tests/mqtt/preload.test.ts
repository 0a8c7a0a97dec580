/**
 * What preloading asks of the MQTT modules once they join the device image (docs/conventions.md,
 * Preloading): their tables are frozen where they are defined, and the codec works in a realm
 * whose intrinsics are frozen as preloading freezes them, where `this.name = …` in an Error
 * subclass would throw.
 */
import { buildSync } from 'esbuild';
import { join } from 'path';
import * as vm from 'vm';
import * as format from '../../protocol/mqtt/format';

const TABLES = ['PACKET_TYPE', 'PACKET_NAMES', 'REQUIRED_FLAGS', 'CONNECT_FLAG', 'CONNACK_RETURN_CODE', 'CONNACK_MESSAGES'] as const;

const FROZEN_INTRINSICS = ['Object', 'Function', 'Array', 'Error', 'TypeError', 'RangeError', 'String', 'Number', 'Uint8Array', 'DataView', 'ArrayBuffer', 'JSON', 'Math'];

/** The codec bundled as one script; `run` is evaluated in a realm with frozen intrinsics and its value returned. */
function inFrozenRealm(run: string): unknown {
  const code = buildSync({
    stdin: { contents: `export * from './protocol/mqtt/encode'; export * from './protocol/mqtt/decoder';`, resolveDir: join(__dirname, '..', '..'), loader: 'ts' },
    bundle: true,
    format: 'iife',
    globalName: 'mqtt',
    target: 'es2022',
    write: false,
  }).outputFiles[0].text;
  const context = vm.createContext({});
  vm.runInContext(`for (const name of ${JSON.stringify(FROZEN_INTRINSICS)}) { const v = globalThis[name]; if (v.prototype) Object.freeze(v.prototype); Object.freeze(v); }`, context);
  vm.runInContext(code, context);
  return vm.runInContext(run, context);
}

describe('MQTT modules under preloading', () => {
  test.each(TABLES)('%s is frozen where it is defined', (name) => {
    expect(Object.isFrozen(format[name])).toBe(true);
  });

  test('with frozen intrinsics, a refused encode throws an MqttEncodeError that carries its name', () => {
    const result = inFrozenRealm(`
      try { mqtt.encodeMqtt({ type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 2, retain: false, dup: false, packetId: 1 }); 'no error'; }
      catch (e) { String(e) + ' | ' + (e instanceof mqtt.MqttEncodeError); }`);
    expect(result).toBe('MqttEncodeError: PUBLISH QoS 2 is not supported: this codec implements QoS 0 and 1 only | true');
  });

  test('with frozen intrinsics, the decoder decodes a stream and reports a fault', () => {
    const result = inFrozenRealm(`
      const d = new mqtt.MqttDecoder({ maxPacketSize: 64 });
      const bytes = mqtt.encodeMqtt({ type: 'puback', packetId: 9 });
      JSON.stringify([d.push(bytes), d.push(Uint8Array.of(0x36, 0x00))]);`);
    expect(JSON.parse(result as string)).toEqual([
      { ok: true, packets: [{ type: 'puback', packetId: 9 }] },
      { ok: false, packets: [], error: 'PUBLISH QoS 3 is malformed: both QoS bits are set (MQTT 3.1.1 §3.3.1.2)' },
    ]);
  });

  test('the frozen realm is faithful: assigning an inherited name throws there', () => {
    expect(() => inFrozenRealm(`class Named extends Error { constructor() { super('x'); this.name = 'Named'; } } new Named();`)).toThrow(/read.only property 'name'/);
  });
});
