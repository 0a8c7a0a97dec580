/*
 * The byte loops of the wM-Bus receive path in C: EN 13757-4 CRC-16, "3 out of 6" and Manchester
 * chip decoding, the CRC-16/CCITT the frame store puts on each record, the header walk that finds
 * a frame's filter identity, and the key-table probe of the recording rules (white list, dedup).
 * The interpreter spends tens of bytecodes per byte on these loops; here a byte takes a handful of
 * cycles.
 *
 * protocol/wmbus/kernels.ts holds the contract and the portable TypeScript versions these must
 * match (tests/wmbus/kernels.test.ts compiles the plain C functions with the host compiler and
 * tests/xs/wmbus-kernels.test.ts runs the bindings inside XS). The plain functions (wmbus_*) use
 * no XS API (a test includes this file to reach them); the xs_* functions below them are the
 * bindings native/wmbus_kernels.js declares with `@`, left out when WMBUS_KERNELS_NO_XS is defined.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* EN 13757-4: CRC-16 final XOR; 3-of-6 and Manchester decode tables mark non-code words so. */
#define kWmbusCrcFinalXor (0xFFFF)
#define kInvalidNibble (0xFF)
#define kNibbleMax (0x0F)
#define kCodeMask (0x3F)
/* CRC-16/CCITT-FALSE (frame store records): initial value, no final XOR. */
#define kCcittInit (0xFFFF)
/* EN 13757-4 format A: block 1 is L, C, M, A; then blocks of 16 bytes; a 2-byte CRC after each. */
#define kDllHeaderBytes (10)
#define kFormatABlockBytes (16)
#define kCrcBytes (2)
/* protocol/collections/key-table.ts: hash multiplier, 2^32 / golden ratio, largest table (2^30 slots). */
#define kKeyHashMultiplier (31u)
#define kKeyFibonacci (0x9E3779B1u)
#define kKeyMaxMask (0x3FFFFFFF)
#define kKeyIgnoreBits (31u)
#define kKeyProbeFailed (-1)
/*
 * protocol/wmbus/header.ts `filterIdentityCode`: result codes (FILTER_IDENTITY_RESULTS), flags,
 * and the layout facts of EN 13757-4 (DLL, ELL) and EN 13757-7 (AFL, TPL) the walk needs.
 */
#define kIdentityFromDll (0)
#define kIdentityFromTpl (1)
#define kIdentityLength (2)
#define kIdentityTruncated (3)
#define kIdentityTruncatedKnown (4)
#define kIdentityDllOnly (1u)
#define kIdentityEllPlaintext (2u)
#define kIdentityBytes (8)
#define kIdentityIdBytes (4)
#define kIdentityVersionIndex (6)
#define kDllMOffset (2)
#define kDllCiOffset (10)
#define kCiEllI (0x8C)
#define kCiEllII (0x8D)
#define kCiEllIII (0x8E)
#define kCiEllIV (0x8F)
#define kCiEllV (0x86)
#define kCiAfl (0x90)
#define kEllCcAccBytes (2)
#define kAddressBytes (8)
#define kSnBytes (4)
#define kPayloadCrcBytes (2)
/* EN 13757-4 §13.2.11: SN bits 29-31, the top three bits of its last byte, are the encryption mode. */
#define kSnEncryptionShift (5)
#define kAflPrefixBytes (2)
#define kAflFclBytes (2)
#define kAflMclBytes (1)
#define kAflKiBytes (2)
#define kAflMcrBytes (4)
#define kAflKeyInfoPresent (0x0200)
#define kAflCounterPresent (0x0800)
#define kAflControlPresent (0x2000)
#define kShortTplBytes (4)
#define kLongTplBytes (kAddressBytes + kShortTplBytes)
#define kSecurityModeMask (0x1F)
/* Security mode 7 carries a configuration field extension byte (EN 13757-7). */
#define kSecurityModeWithCfgExt (7)
#define kSecurityModeOffset (3)

/* x^16+x^13+x^12+x^11+x^10+x^8+x^6+x^5+x^2+1 (0x3D65), MSB first: the CRC of each possible high byte. */
static const uint16_t gWmbusCrcTable[256] = {
	0x0000, 0x3D65, 0x7ACA, 0x47AF, 0xF594, 0xC8F1, 0x8F5E, 0xB23B,
	0xD64D, 0xEB28, 0xAC87, 0x91E2, 0x23D9, 0x1EBC, 0x5913, 0x6476,
	0x91FF, 0xAC9A, 0xEB35, 0xD650, 0x646B, 0x590E, 0x1EA1, 0x23C4,
	0x47B2, 0x7AD7, 0x3D78, 0x001D, 0xB226, 0x8F43, 0xC8EC, 0xF589,
	0x1E9B, 0x23FE, 0x6451, 0x5934, 0xEB0F, 0xD66A, 0x91C5, 0xACA0,
	0xC8D6, 0xF5B3, 0xB21C, 0x8F79, 0x3D42, 0x0027, 0x4788, 0x7AED,
	0x8F64, 0xB201, 0xF5AE, 0xC8CB, 0x7AF0, 0x4795, 0x003A, 0x3D5F,
	0x5929, 0x644C, 0x23E3, 0x1E86, 0xACBD, 0x91D8, 0xD677, 0xEB12,
	0x3D36, 0x0053, 0x47FC, 0x7A99, 0xC8A2, 0xF5C7, 0xB268, 0x8F0D,
	0xEB7B, 0xD61E, 0x91B1, 0xACD4, 0x1EEF, 0x238A, 0x6425, 0x5940,
	0xACC9, 0x91AC, 0xD603, 0xEB66, 0x595D, 0x6438, 0x2397, 0x1EF2,
	0x7A84, 0x47E1, 0x004E, 0x3D2B, 0x8F10, 0xB275, 0xF5DA, 0xC8BF,
	0x23AD, 0x1EC8, 0x5967, 0x6402, 0xD639, 0xEB5C, 0xACF3, 0x9196,
	0xF5E0, 0xC885, 0x8F2A, 0xB24F, 0x0074, 0x3D11, 0x7ABE, 0x47DB,
	0xB252, 0x8F37, 0xC898, 0xF5FD, 0x47C6, 0x7AA3, 0x3D0C, 0x0069,
	0x641F, 0x597A, 0x1ED5, 0x23B0, 0x918B, 0xACEE, 0xEB41, 0xD624,
	0x7A6C, 0x4709, 0x00A6, 0x3DC3, 0x8FF8, 0xB29D, 0xF532, 0xC857,
	0xAC21, 0x9144, 0xD6EB, 0xEB8E, 0x59B5, 0x64D0, 0x237F, 0x1E1A,
	0xEB93, 0xD6F6, 0x9159, 0xAC3C, 0x1E07, 0x2362, 0x64CD, 0x59A8,
	0x3DDE, 0x00BB, 0x4714, 0x7A71, 0xC84A, 0xF52F, 0xB280, 0x8FE5,
	0x64F7, 0x5992, 0x1E3D, 0x2358, 0x9163, 0xAC06, 0xEBA9, 0xD6CC,
	0xB2BA, 0x8FDF, 0xC870, 0xF515, 0x472E, 0x7A4B, 0x3DE4, 0x0081,
	0xF508, 0xC86D, 0x8FC2, 0xB2A7, 0x009C, 0x3DF9, 0x7A56, 0x4733,
	0x2345, 0x1E20, 0x598F, 0x64EA, 0xD6D1, 0xEBB4, 0xAC1B, 0x917E,
	0x475A, 0x7A3F, 0x3D90, 0x00F5, 0xB2CE, 0x8FAB, 0xC804, 0xF561,
	0x9117, 0xAC72, 0xEBDD, 0xD6B8, 0x6483, 0x59E6, 0x1E49, 0x232C,
	0xD6A5, 0xEBC0, 0xAC6F, 0x910A, 0x2331, 0x1E54, 0x59FB, 0x649E,
	0x00E8, 0x3D8D, 0x7A22, 0x4747, 0xF57C, 0xC819, 0x8FB6, 0xB2D3,
	0x59C1, 0x64A4, 0x230B, 0x1E6E, 0xAC55, 0x9130, 0xD69F, 0xEBFA,
	0x8F8C, 0xB2E9, 0xF546, 0xC823, 0x7A18, 0x477D, 0x00D2, 0x3DB7,
	0xC83E, 0xF55B, 0xB2F4, 0x8F91, 0x3DAA, 0x00CF, 0x4760, 0x7A05,
	0x1E73, 0x2316, 0x64B9, 0x59DC, 0xEBE7, 0xD682, 0x912D, 0xAC48
};

/* x^16+x^12+x^5+1 (0x1021), MSB first. */
static const uint16_t gCcittTable[256] = {
	0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50A5, 0x60C6, 0x70E7,
	0x8108, 0x9129, 0xA14A, 0xB16B, 0xC18C, 0xD1AD, 0xE1CE, 0xF1EF,
	0x1231, 0x0210, 0x3273, 0x2252, 0x52B5, 0x4294, 0x72F7, 0x62D6,
	0x9339, 0x8318, 0xB37B, 0xA35A, 0xD3BD, 0xC39C, 0xF3FF, 0xE3DE,
	0x2462, 0x3443, 0x0420, 0x1401, 0x64E6, 0x74C7, 0x44A4, 0x5485,
	0xA56A, 0xB54B, 0x8528, 0x9509, 0xE5EE, 0xF5CF, 0xC5AC, 0xD58D,
	0x3653, 0x2672, 0x1611, 0x0630, 0x76D7, 0x66F6, 0x5695, 0x46B4,
	0xB75B, 0xA77A, 0x9719, 0x8738, 0xF7DF, 0xE7FE, 0xD79D, 0xC7BC,
	0x48C4, 0x58E5, 0x6886, 0x78A7, 0x0840, 0x1861, 0x2802, 0x3823,
	0xC9CC, 0xD9ED, 0xE98E, 0xF9AF, 0x8948, 0x9969, 0xA90A, 0xB92B,
	0x5AF5, 0x4AD4, 0x7AB7, 0x6A96, 0x1A71, 0x0A50, 0x3A33, 0x2A12,
	0xDBFD, 0xCBDC, 0xFBBF, 0xEB9E, 0x9B79, 0x8B58, 0xBB3B, 0xAB1A,
	0x6CA6, 0x7C87, 0x4CE4, 0x5CC5, 0x2C22, 0x3C03, 0x0C60, 0x1C41,
	0xEDAE, 0xFD8F, 0xCDEC, 0xDDCD, 0xAD2A, 0xBD0B, 0x8D68, 0x9D49,
	0x7E97, 0x6EB6, 0x5ED5, 0x4EF4, 0x3E13, 0x2E32, 0x1E51, 0x0E70,
	0xFF9F, 0xEFBE, 0xDFDD, 0xCFFC, 0xBF1B, 0xAF3A, 0x9F59, 0x8F78,
	0x9188, 0x81A9, 0xB1CA, 0xA1EB, 0xD10C, 0xC12D, 0xF14E, 0xE16F,
	0x1080, 0x00A1, 0x30C2, 0x20E3, 0x5004, 0x4025, 0x7046, 0x6067,
	0x83B9, 0x9398, 0xA3FB, 0xB3DA, 0xC33D, 0xD31C, 0xE37F, 0xF35E,
	0x02B1, 0x1290, 0x22F3, 0x32D2, 0x4235, 0x5214, 0x6277, 0x7256,
	0xB5EA, 0xA5CB, 0x95A8, 0x8589, 0xF56E, 0xE54F, 0xD52C, 0xC50D,
	0x34E2, 0x24C3, 0x14A0, 0x0481, 0x7466, 0x6447, 0x5424, 0x4405,
	0xA7DB, 0xB7FA, 0x8799, 0x97B8, 0xE75F, 0xF77E, 0xC71D, 0xD73C,
	0x26D3, 0x36F2, 0x0691, 0x16B0, 0x6657, 0x7676, 0x4615, 0x5634,
	0xD94C, 0xC96D, 0xF90E, 0xE92F, 0x99C8, 0x89E9, 0xB98A, 0xA9AB,
	0x5844, 0x4865, 0x7806, 0x6827, 0x18C0, 0x08E1, 0x3882, 0x28A3,
	0xCB7D, 0xDB5C, 0xEB3F, 0xFB1E, 0x8BF9, 0x9BD8, 0xABBB, 0xBB9A,
	0x4A75, 0x5A54, 0x6A37, 0x7A16, 0x0AF1, 0x1AD0, 0x2AB3, 0x3A92,
	0xFD2E, 0xED0F, 0xDD6C, 0xCD4D, 0xBDAA, 0xAD8B, 0x9DE8, 0x8DC9,
	0x7C26, 0x6C07, 0x5C64, 0x4C45, 0x3CA2, 0x2C83, 0x1CE0, 0x0CC1,
	0xEF1F, 0xFF3E, 0xCF5D, 0xDF7C, 0xAF9B, 0xBFBA, 0x8FD9, 0x9FF8,
	0x6E17, 0x7E36, 0x4E55, 0x5E74, 0x2E93, 0x3EB2, 0x0ED1, 0x1EF0
};

/* 6-chip code word -> nibble (EN 13757-4 §9.2); kInvalidNibble for the 48 words that are no code. */
static const uint8_t g3of6Table[64] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x03, 0xFF, 0x01, 0x02, 0xFF,
	0xFF, 0xFF, 0xFF, 0x07, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x05, 0x06, 0xFF, 0x04, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0x0B, 0xFF, 0x09, 0x0A, 0xFF, 0xFF, 0x0F, 0xFF, 0xFF, 0x08, 0xFF, 0xFF, 0xFF,
	0xFF, 0x0D, 0x0E, 0xFF, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF
};

/* Manchester chip byte (four chip pairs, 01 = 1, 10 = 0) -> data nibble; kInvalidNibble when a pair is 00 or 11. */
static const uint8_t gManchesterTable[256] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x0E, 0xFF, 0xFF, 0x0D, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0B, 0x0A, 0xFF, 0xFF, 0x09, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x06, 0xFF, 0xFF, 0x05, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x03, 0x02, 0xFF, 0xFF, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF
};

static uint16_t wmbus_crc16(const uint8_t *bytes, size_t length)
{
	uint16_t crc = 0;
	while (length--)
		crc = (uint16_t)((crc << 8) ^ gWmbusCrcTable[(crc >> 8) ^ *bytes++]);
	return (uint16_t)(crc ^ kWmbusCrcFinalXor);
}

static uint16_t wmbus_crc16_ccitt(const uint8_t *bytes, size_t length)
{
	uint16_t crc = kCcittInit;
	while (length--)
		crc = (uint16_t)((crc << 8) ^ gCcittTable[(crc >> 8) ^ *bytes++]);
	return crc;
}

/* Bytes on air of a format-A frame of `dataBytes` bytes: the data and a CRC per block. */
static uint64_t wmbus_format_a_on_air_bytes(uint64_t dataBytes)
{
	uint64_t blocks = 1 + (dataBytes - kDllHeaderBytes + kFormatABlockBytes - 1) / kFormatABlockBytes;
	return dataBytes + kCrcBytes * blocks;
}

/*
 * Checks each block CRC (stored high byte first) of the format-A frame at `onAir` and copies the
 * data of the blocks to `frame`; `dataBytes` (L + 1, at least kDllHeaderBytes) sets the layout.
 * 0 at the first bad CRC.
 */
static int wmbus_strip_blocks_a(const uint8_t *onAir, uint8_t *frame, size_t dataBytes)
{
	size_t n = kDllHeaderBytes;
	while (dataBytes) {
		uint16_t stored = (uint16_t)((onAir[n] << 8) | onAir[n + 1]);
		if (wmbus_crc16(onAir, n) != stored)
			return 0;
		memcpy(frame, onAir, n);
		frame += n;
		onAir += n + kCrcBytes;
		dataBytes -= n;
		n = (dataBytes < kFormatABlockBytes) ? dataBytes : kFormatABlockBytes;
	}
	return 1;
}

/* Chip bytes that carry `count` bytes in 3-of-6: 12 chips a byte, rounded up to whole bytes. */
static uint64_t wmbus_chip_bytes_3of6(uint64_t count)
{
	return (count * 3 + 1) >> 1;
}

/* Decodes `count` bytes from wmbus_chip_bytes_3of6(count) chip bytes; 0 at the first non-code word. */
static int wmbus_decode_3of6(const uint8_t *chips, uint8_t *out, size_t count)
{
	size_t pairs = count >> 1;
	/* Two bytes are 24 chips: three chip bytes hold four code words. */
	while (pairs--) {
		uint8_t c0 = chips[0], c1 = chips[1], c2 = chips[2];
		uint8_t n0 = g3of6Table[c0 >> 2];
		uint8_t n1 = g3of6Table[((c0 << 4) | (c1 >> 4)) & kCodeMask];
		uint8_t n2 = g3of6Table[((c1 << 2) | (c2 >> 6)) & kCodeMask];
		uint8_t n3 = g3of6Table[c2 & kCodeMask];
		if ((n0 | n1 | n2 | n3) > kNibbleMax)
			return 0;
		out[0] = (uint8_t)((n0 << 4) | n1);
		out[1] = (uint8_t)((n2 << 4) | n3);
		chips += 3;
		out += 2;
	}
	if (count & 1) {
		uint8_t n0 = g3of6Table[chips[0] >> 2];
		uint8_t n1 = g3of6Table[((chips[0] << 4) | (chips[1] >> 4)) & kCodeMask];
		if ((n0 | n1) > kNibbleMax)
			return 0;
		out[0] = (uint8_t)((n0 << 4) | n1);
	}
	return 1;
}

/* Decodes `count` bytes from 2 * count chip bytes; 0 at the first bad chip pair. */
static int wmbus_decode_manchester(const uint8_t *chips, uint8_t *out, size_t count)
{
	while (count--) {
		uint8_t hi = gManchesterTable[chips[0]];
		uint8_t lo = gManchesterTable[chips[1]];
		if ((hi | lo) > kNibbleMax)
			return 0;
		*out++ = (uint8_t)((hi << 4) | lo);
		chips += 2;
	}
	return 1;
}

/*
 * The slot search of protocol/collections/key-table.ts (`probeKeyTable`): `slots` holds mask + 1
 * entries of `slotBytes` (2 or 4) bytes, each 0 (empty) or index + 1 of a key of `keys` (`keyCount`
 * keys of `width` bytes). Returns the slot whose key matches the `width` bytes at `key` on its first
 * `hashBytes` bytes
 * and on every later byte whose bit in `ignore` is clear, else the empty slot ending the probe run;
 * kKeyProbeFailed when a slot names a key beyond `keyCount` or the run meets no empty slot.
 * `mask` is 2^bits - 1 with 1 <= bits <= 30.
 */
static int32_t wmbus_probe_keys(const uint8_t *keys, size_t keyCount, size_t width, size_t hashBytes,
		const void *slots, size_t slotBytes, uint32_t mask, const uint8_t *key, uint32_t ignore)
{
	uint32_t h = 0, s, bits = 0, steps;
	size_t k;
	for (k = 0; k < hashBytes; k++)
		h = h * kKeyHashMultiplier + key[k];
	while ((mask >> bits) & 1)
		bits++;
	s = (h * kKeyFibonacci) >> (32 - bits);
	for (steps = 0; steps <= mask; steps++, s = (s + 1) & mask) {
		uint32_t entry = (slotBytes == 2) ? ((const uint16_t *)slots)[s] : ((const uint32_t *)slots)[s];
		const uint8_t *stored;
		if (entry == 0)
			return (int32_t)s;
		if (entry > keyCount)
			return kKeyProbeFailed;
		stored = keys + (size_t)(entry - 1) * width;
		k = 0;
		while ((k < hashBytes) && (stored[k] == key[k]))
			k++;
		if (k < hashBytes)
			continue;
		/* JavaScript's `ignore >> k` takes k modulo 32. */
		while ((k < width) && ((stored[k] == key[k]) || ((ignore >> (k & kKeyIgnoreBits)) & 1)))
			k++;
		if (k == width)
			return (int32_t)s;
	}
	return kKeyProbeFailed;
}


/* What follows a CI as filterIdentity sees it: a short or long TPL header, or neither (no header, manufacturer, unknown). */
typedef enum { kTplShort, kTplLong, kTplOther } TplKind;

/* EN 13757-7 CI-field table, the short- and long-header rows of protocol/wmbus/header.ts `tplHeaderKind`. */
static TplKind wmbus_tpl_kind(uint8_t ci)
{
	switch (ci) {
	case 0x5A: case 0x61: case 0x65: case 0x67: case 0x6A: case 0x6E: case 0x74: case 0x7A:
	case 0x7B: case 0x7D: case 0x7F: case 0x88: case 0x8A: case 0x9E: case 0xC1: case 0xC4:
		return kTplShort;
	case 0x53: case 0x55: case 0x5B: case 0x5F: case 0x60: case 0x64: case 0x68: case 0x6B:
	case 0x6C: case 0x6D: case 0x6F: case 0x72: case 0x73: case 0x75: case 0x7C: case 0x7E:
	case 0x80: case 0x82: case 0x84: case 0x85: case 0x87: case 0x8B: case 0x9F: case 0xC0:
	case 0xC2: case 0xC3: case 0xC5:
		return kTplLong;
	default:
		return kTplOther;
	}
}

/* End of the AFL starting at `offset` (its CI), or -1 when it runs past the frame (header.ts `aflEnd`). */
static long wmbus_afl_end(const uint8_t *frame, size_t length, size_t offset)
{
	size_t end, pos;
	unsigned int fcl;
	if (offset + kAflPrefixBytes > length)
		return -1;
	end = offset + kAflPrefixBytes + frame[offset + 1];
	if ((end > length) || (frame[offset + 1] < kAflFclBytes))
		return -1;
	fcl = frame[offset + kAflPrefixBytes] | ((unsigned int)frame[offset + kAflPrefixBytes + 1] << 8);
	pos = offset + kAflPrefixBytes + kAflFclBytes;
	if (fcl & kAflControlPresent)
		pos += kAflMclBytes;
	if (fcl & kAflKeyInfoPresent)
		pos += kAflKiBytes;
	if (fcl & kAflCounterPresent)
		pos += kAflMcrBytes;
	return (pos > end) ? -1 : (long)end;
}

static int wmbus_dll_identity(const uint8_t *frame, uint8_t *out)
{
	memcpy(out, frame + kDllMOffset, kIdentityBytes);
	return kIdentityFromDll;
}

/* A header cut short before the TPL settles the identity: known only when the filters use the DLL's anyway. */
static int wmbus_truncated(const uint8_t *frame, uint8_t *out, uint32_t flags)
{
	wmbus_dll_identity(frame, out);
	return (flags & kIdentityDllOnly) ? kIdentityTruncatedKnown : kIdentityTruncated;
}

/*
 * protocol/wmbus/header.ts `filterIdentityCode`: walks ELL, AFL and TPL headers of a CRC-free frame
 * as parseHeader does and writes the 8-byte filter identity (M, id, version, type) into `out`, from
 * a long TPL header unless kIdentityDllOnly. Returns kIdentityFromDll / kIdentityFromTpl;
 * kIdentityLength (nothing written); kIdentityTruncated (a cut header hides which identity the
 * filters use; the DLL identity written) or kIdentityTruncatedKnown (cut past the point that settles
 * it; that identity written).
 */
static int wmbus_filter_identity(const uint8_t *frame, size_t length, uint8_t *out, uint32_t flags)
{
	size_t pos = kDllCiOffset, p, a;
	uint8_t ci;
	TplKind kind;
	int complete;
	if (length < kDllCiOffset)
		return kIdentityLength;
	if (pos >= length)
		return wmbus_dll_identity(frame, out);
	ci = frame[pos];
	if ((ci == kCiEllV) || ((ci >= kCiEllI) && (ci <= kCiEllIV))) {
		pos += 1 + kEllCcAccBytes;
		if (pos > length)
			return wmbus_truncated(frame, out, flags);
		if (ci == kCiEllV)
			return wmbus_dll_identity(frame, out);
		if ((ci == kCiEllIII) || (ci == kCiEllIV)) {
			pos += kAddressBytes;
			if (pos > length)
				return wmbus_truncated(frame, out, flags);
		}
		if ((ci == kCiEllII) || (ci == kCiEllIV)) {
			if (pos + kSnBytes + kPayloadCrcBytes > length)
				return wmbus_truncated(frame, out, flags);
			/* EN 13757-4 §13.2.12: an encrypting ELL hides everything after its session number. */
			if (((frame[pos + kSnBytes - 1] >> kSnEncryptionShift) != 0) && !(flags & kIdentityEllPlaintext))
				return wmbus_dll_identity(frame, out);
			pos += kSnBytes + kPayloadCrcBytes;
		}
		if (pos >= length)
			return wmbus_dll_identity(frame, out);
		ci = frame[pos];
	}
	if (ci == kCiAfl) {
		long end = wmbus_afl_end(frame, length, pos);
		if (end < 0)
			return wmbus_truncated(frame, out, flags);
		pos = (size_t)end;
		if (pos >= length)
			return wmbus_dll_identity(frame, out);
		ci = frame[pos];
	}
	kind = wmbus_tpl_kind(ci);
	p = pos + 1;
	if (kind == kTplLong) {
		if (p + kLongTplBytes > length)
			return wmbus_truncated(frame, out, flags);
		p += kAddressBytes;
	}
	else if (kind != kTplShort)
		return wmbus_dll_identity(frame, out);
	/* A long header passed its own check above, so only a short one (DLL identity) can fail here. */
	if (p + kShortTplBytes > length) {
		wmbus_dll_identity(frame, out);
		return kIdentityTruncatedKnown;
	}
	complete = ((frame[p + kSecurityModeOffset] & kSecurityModeMask) != kSecurityModeWithCfgExt) || (p + kShortTplBytes + 1 <= length);
	if ((kind != kTplLong) || (flags & kIdentityDllOnly)) {
		wmbus_dll_identity(frame, out);
		return complete ? kIdentityFromDll : kIdentityTruncatedKnown;
	}
	/* Long header address: ID (4) M (2) VER TYPE; the identity is M, ID, VER, TYPE. */
	a = pos + 1;
	out[0] = frame[a + kIdentityIdBytes];
	out[1] = frame[a + kIdentityIdBytes + 1];
	memcpy(out + 2, frame + a, kIdentityIdBytes);
	out[kIdentityVersionIndex] = frame[a + kIdentityVersionIndex];
	out[kIdentityVersionIndex + 1] = frame[a + kIdentityVersionIndex + 1];
	return complete ? kIdentityFromTpl : kIdentityTruncatedKnown;
}

#ifndef WMBUS_KERNELS_NO_XS

#include "xsmc.h"

/*
 * Integer arguments are read before any buffer pointer is taken: a conversion may run JavaScript
 * and collect garbage, which can move an ArrayBuffer's data.
 */

typedef uint16_t (*CrcFunction)(const uint8_t *bytes, size_t length);

static void crcOfRange(xsMachine *the, CrcFunction crc)
{
	xsIntegerValue start, end;
	void *data;
	xsUnsignedValue length;
	if (xsmcArgc < 3)
		xsTypeError("crc16: bytes, start, end expected");
	start = xsmcToInteger(xsArg(1));
	end = xsmcToInteger(xsArg(2));
	xsmcGetBufferReadable(xsArg(0), &data, &length);
	if ((start < 0) || (end < start) || ((xsUnsignedValue)end > length))
		xsRangeError("crc16: range outside the bytes");
	xsmcSetInteger(xsResult, crc((const uint8_t *)data + start, (size_t)(end - start)));
}

/* crc16(bytes, start, end): EN 13757-4 CRC-16 of bytes[start, end). */
void xs_wmbus_crc16(xsMachine *the)
{
	crcOfRange(the, wmbus_crc16);
}

/* crc16Ccitt(bytes, start, end): CRC-16/CCITT-FALSE of bytes[start, end). */
void xs_wmbus_crc16_ccitt(xsMachine *the)
{
	crcOfRange(the, wmbus_crc16_ccitt);
}

typedef int (*DecodeFunction)(const uint8_t *chips, uint8_t *out, size_t count);

/* (chips, out, count, chipOffset) -> boolean; false when the chips or `out` are too short. */
static void decodeChips(xsMachine *the, DecodeFunction decode, uint64_t (*chipBytes)(uint64_t count))
{
	xsIntegerValue count, chipOffset;
	void *chips, *out;
	xsUnsignedValue chipsLength, outLength;
	if (xsmcArgc < 4)
		xsTypeError("decode: chips, out, count, chipOffset expected");
	count = xsmcToInteger(xsArg(2));
	chipOffset = xsmcToInteger(xsArg(3));
	xsmcGetBufferReadable(xsArg(0), &chips, &chipsLength);
	xsmcGetBufferWritable(xsArg(1), &out, &outLength);
	if ((count < 0) || (chipOffset < 0) || ((xsUnsignedValue)count > outLength) ||
			((uint64_t)chipOffset + chipBytes((uint64_t)count) > chipsLength)) {
		xsmcSetFalse(xsResult);
		return;
	}
	xsmcSetBoolean(xsResult, decode((const uint8_t *)chips + chipOffset, (uint8_t *)out, (size_t)count));
}

static uint64_t chipBytesManchester(uint64_t count)
{
	return count * 2;
}

/* decode3of6(chips, out, count, chipOffset): EN 13757-4 §9.2 chips -> bytes. */
void xs_wmbus_decode_3of6(xsMachine *the)
{
	decodeChips(the, wmbus_decode_3of6, wmbus_chip_bytes_3of6);
}

/* decodeManchester(chips, out, count, chipOffset): mode S chips -> bytes. */
void xs_wmbus_decode_manchester(xsMachine *the)
{
	decodeChips(the, wmbus_decode_manchester, chipBytesManchester);
}

/* stripBlocksA(onAir, frame): format A, CRCs checked and removed; frame.length = L + 1. */
void xs_wmbus_strip_blocks_a(xsMachine *the)
{
	void *onAir, *frame;
	xsUnsignedValue onAirLength, frameLength;
	if (xsmcArgc < 2)
		xsTypeError("stripBlocksA: onAir, frame expected");
	xsmcGetBufferReadable(xsArg(0), &onAir, &onAirLength);
	xsmcGetBufferWritable(xsArg(1), &frame, &frameLength);
	if ((frameLength < kDllHeaderBytes) || (wmbus_format_a_on_air_bytes(frameLength) > onAirLength))
		xsRangeError("stripBlocksA: frame or on-air bytes too short");
	xsmcSetBoolean(xsResult, wmbus_strip_blocks_a((const uint8_t *)onAir, (uint8_t *)frame, frameLength));
}

/* probeKeys(keys, width, hashBytes, slots, mask, key, keyOffset, ignore): a KeyTable slot, see wmbus_probe_keys. */
void xs_wmbus_probe_keys(xsMachine *the)
{
	xsIntegerValue width, hashBytes, mask, keyOffset, ignore, slotsOffset;
	void *keys, *slots, *key;
	xsUnsignedValue keysLength, slotsLength, bufferLength, keyLength, slotBytes;
	int32_t slot;
	if (xsmcArgc < 8)
		xsTypeError("probeKeys: keys, width, hashBytes, slots, mask, key, keyOffset, ignore expected");
	width = xsmcToInteger(xsArg(1));
	hashBytes = xsmcToInteger(xsArg(2));
	mask = xsmcToInteger(xsArg(4));
	keyOffset = xsmcToInteger(xsArg(6));
	ignore = xsmcToInteger(xsArg(7));
	/* xsmcGetBuffer takes byte arrays only: the slots' bytes are reached through their view's buffer. */
	xsmcVars(2);
	xsmcGet(xsVar(0), xsArg(3), xsID("byteOffset"));
	slotsOffset = xsmcToInteger(xsVar(0));
	xsmcGet(xsVar(0), xsArg(3), xsID("byteLength"));
	slotsLength = (xsUnsignedValue)xsmcToInteger(xsVar(0));
	xsmcGet(xsVar(1), xsArg(3), xsID("buffer"));
	xsmcGetBufferReadable(xsVar(1), &slots, &bufferLength);
	if ((slotsOffset < 0) || ((xsUnsignedValue)slotsOffset + slotsLength > bufferLength))
		xsRangeError("probeKeys: slots outside their buffer");
	slots = (uint8_t *)slots + slotsOffset;
	xsmcGetBufferReadable(xsArg(0), &keys, &keysLength);
	xsmcGetBufferReadable(xsArg(5), &key, &keyLength);
	if ((hashBytes < 1) || (width < hashBytes) || (keyOffset < 0) || ((uint64_t)keyOffset + (uint64_t)width > keyLength) ||
			(mask < 1) || (mask > kKeyMaxMask) || ((mask & (mask + 1)) != 0))
		xsRangeError("probeKeys: bad width, hashBytes, key range or mask");
	slotBytes = slotsLength / ((xsUnsignedValue)mask + 1);
	if (((slotBytes != 2) && (slotBytes != 4)) || (slotBytes * ((xsUnsignedValue)mask + 1) != slotsLength))
		xsRangeError("probeKeys: slots are not mask + 1 16- or 32-bit entries");
	slot = wmbus_probe_keys((const uint8_t *)keys, keysLength / (xsUnsignedValue)width, (size_t)width, (size_t)hashBytes,
			slots, slotBytes, (uint32_t)mask, (const uint8_t *)key + keyOffset, (uint32_t)ignore);
	if (slot == kKeyProbeFailed)
		xsRangeError("probeKeys: slot beyond the keys or no empty slot");
	xsmcSetInteger(xsResult, slot);
}

/* filterIdentity(frame, out, flags) -> result code, see wmbus_filter_identity; RangeError when `out` holds fewer than 8 bytes. */
void xs_wmbus_filter_identity(xsMachine *the)
{
	xsIntegerValue flags;
	void *frame, *out;
	xsUnsignedValue frameLength, outLength;
	if (xsmcArgc < 3)
		xsTypeError("filterIdentity: frame, out, flags expected");
	flags = xsmcToInteger(xsArg(2));
	xsmcGetBufferReadable(xsArg(0), &frame, &frameLength);
	xsmcGetBufferWritable(xsArg(1), &out, &outLength);
	if (outLength < kIdentityBytes)
		xsRangeError("filterIdentity: out holds fewer than 8 bytes");
	xsmcSetInteger(xsResult, wmbus_filter_identity((const uint8_t *)frame, frameLength, (uint8_t *)out, (uint32_t)flags));
}

#endif
