/** SHA-256 and SHA-512 against FIPS 180-4 example values and Node's crypto, whole and streamed. */
import { createHash } from 'crypto';
import { sha256, Sha256 } from '../../protocol/crypto/sha256';
import { sha512, Sha512 } from '../../protocol/crypto/sha512';
import { hex, int, randomBytes, rng } from '../files/fixtures';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const TWO_BLOCK_256 = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
const TWO_BLOCK_512 = 'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu';

describe('SHA-256', () => {
  test.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [TWO_BLOCK_256, '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ])('"%s"', (message, digest) => {
    expect(hex(sha256(text(message)))).toBe(digest);
  });

  test('one million "a"', () => {
    expect(hex(sha256(new Uint8Array(1000000).fill(0x61)))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  test('lengths 0..300 agree with Node, whole and in random chunks', () => {
    const r = rng(256);
    for (let n = 0; n <= 300; n++) {
      const data = randomBytes(r, n);
      const expected = createHash('sha256').update(data).digest('hex');
      expect(hex(sha256(data))).toBe(expected);
      const h = new Sha256();
      for (let at = 0; at < n; ) {
        const step = int(r, 1, 70);
        h.update(data.subarray(at, at + step));
        at += step;
      }
      expect(hex(h.digest())).toBe(expected);
    }
  });

  test('digest twice throws', () => {
    const h = new Sha256();
    h.digest();
    expect(() => h.digest()).toThrow();
  });
});

describe('SHA-512', () => {
  test.each([
    ['', 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e'],
    ['abc', 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'],
    [TWO_BLOCK_512, '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909'],
  ])('"%s"', (message, digest) => {
    expect(hex(sha512(text(message)))).toBe(digest);
  });

  test('lengths 0..400 agree with Node, whole and in random chunks', () => {
    const r = rng(512);
    for (let n = 0; n <= 400; n++) {
      const data = randomBytes(r, n);
      const expected = createHash('sha512').update(data).digest('hex');
      expect(hex(sha512(data))).toBe(expected);
      const h = new Sha512();
      for (let at = 0; at < n; ) {
        const step = int(r, 1, 150);
        h.update(data.subarray(at, at + step));
        at += step;
      }
      expect(hex(h.digest())).toBe(expected);
    }
  });

  test('one million "a" agrees with Node', () => {
    const data = new Uint8Array(1000000).fill(0x61);
    expect(hex(sha512(data))).toBe(createHash('sha512').update(data).digest('hex'));
  });
});
