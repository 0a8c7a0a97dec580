import { deserialize } from 'bson';
test('toolchain', () => { expect(deserialize(new Uint8Array([5,0,0,0,0]))).toEqual({}); });
