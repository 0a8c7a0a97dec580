/**
 * Ed25519 public key (RFC 8032, 32 bytes) that firmware images must be signed with (§6 update).
 *
 * This is the DEVELOPMENT key: its private half is tests/fixtures/firmware-test-key.ts, published
 * in this repository, so anyone can sign images it accepts. A release device build replaces this
 * module with one holding the release key (FIRMWARE_KEY=path WMBUS_RELEASE=1, see
 * docs/firmware-update.md), whose private half never enters the repository.
 */
export const FIRMWARE_PUBLIC_KEY: Uint8Array = Uint8Array.from([
  0x30, 0x7d, 0x60, 0x6b, 0x86, 0x7f, 0x30, 0xd0, 0x0e, 0xa4, 0xf8, 0x55, 0xbc, 0x0f, 0x5c, 0xc8,
  0xb6, 0x53, 0x1e, 0x7b, 0xfe, 0x6b, 0x2a, 0xff, 0xa8, 0x21, 0x47, 0x87, 0xc1, 0x11, 0x26, 0xd2,
]);

/** Whether FIRMWARE_PUBLIC_KEY is the development key; a release build (WMBUS_RELEASE=1) refuses to be made with it. */
export const FIRMWARE_KEY_IS_DEVELOPMENT = true;
