/*
 * Host harness for the plain C kernels of native/wmbus_kernels.c (tests/wmbus/kernels.test.ts):
 * one request per line on stdin, one answer per line on stdout.
 *   crc16 HEX | ccitt HEX                  -> 4 hex digits
 *   3of6 COUNT HEX | manchester COUNT HEX  -> "ok HEX" or "bad"
 *   stripa DATABYTES HEX                   -> "ok HEX" or "bad"
 *   identity FLAGS HEX                     -> "CODE HEX", or "CODE" when no identity is written
 *   probe WIDTH HASHBYTES SLOTBYTES MASK IGNORE KEYSHEX SLOTSHEX KEYHEX
 *                                          -> slot number or "fail" (slots as little-endian entries)
 * Sizes are the caller's business here; the XS bindings' checks are tested inside XS.
 */
#define WMBUS_KERNELS_NO_XS
#include "../../../native/wmbus_kernels.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define kMaxBytes (4096)

static size_t fromHex(const char *hex, uint8_t *out)
{
	size_t n = 0;
	while (hex[0] && hex[1] && (n < kMaxBytes)) {
		unsigned int byte;
		if (sscanf(hex, "%2x", &byte) != 1)
			break;
		out[n++] = (uint8_t)byte;
		hex += 2;
	}
	return n;
}

static void printHex(const char *prefix, const uint8_t *bytes, size_t n)
{
	size_t i;
	fputs(prefix, stdout);
	for (i = 0; i < n; i++)
		printf("%02x", bytes[i]);
	putchar('\n');
}

/* `identity FLAGS HEX`: wmbus_filter_identity, with the identity when there is one. */
static void identity(const char *line)
{
	static char hex[2 * kMaxBytes + 1];
	static uint8_t frame[kMaxBytes];
	uint8_t out[kIdentityBytes];
	unsigned long flags;
	int code;
	hex[0] = 0;
	if (sscanf(line, "identity %lu %8192s", &flags, hex) < 1) {
		puts("error");
		return;
	}
	code = wmbus_filter_identity(frame, fromHex(hex, frame), out, (uint32_t)flags);
	if (code != kIdentityLength) {
		char prefix[8];
		snprintf(prefix, sizeof(prefix), "%d ", code);
		printHex(prefix, out, kIdentityBytes);
	}
	else
		printf("%d\n", code);
}

/* `probe WIDTH HASHBYTES SLOTBYTES MASK IGNORE KEYSHEX SLOTSHEX KEYHEX`: wmbus_probe_keys. */
static void probe(const char *line)
{
	static char keysHex[2 * kMaxBytes + 1], slotsHex[2 * kMaxBytes + 1], keyHex[2 * kMaxBytes + 1];
	static uint8_t keys[kMaxBytes], key[kMaxBytes];
	static uint32_t slotWords[kMaxBytes / sizeof(uint32_t)];
	unsigned long width, hashBytes, slotBytes, mask, ignore;
	size_t keyBytes;
	int32_t slot;
	if (sscanf(line, "probe %lu %lu %lu %lu %lu %8192s %8192s %8192s", &width, &hashBytes, &slotBytes, &mask, &ignore, keysHex, slotsHex, keyHex) != 8) {
		puts("error");
		return;
	}
	keyBytes = fromHex(keysHex, keys);
	fromHex(slotsHex, (uint8_t *)slotWords);
	fromHex(keyHex, key);
	slot = wmbus_probe_keys(keys, keyBytes / width, width, hashBytes, slotWords, slotBytes, (uint32_t)mask, key, (uint32_t)ignore);
	if (slot == kKeyProbeFailed)
		puts("fail");
	else
		printf("%ld\n", (long)slot);
}

int main(void)
{
	static char line[8 * kMaxBytes];
	static uint8_t in[kMaxBytes], out[kMaxBytes];
	char op[16], hex[2 * kMaxBytes + 1];
	unsigned long count;
	while (fgets(line, sizeof(line), stdin)) {
		hex[0] = 0;
		if (!strncmp(line, "identity ", 9))
			identity(line);
		else if (!strncmp(line, "probe ", 6))
			probe(line);
		else if ((sscanf(line, "%15s %lu %8192s", op, &count, hex) == 3) && strcmp(op, "crc16") && strcmp(op, "ccitt")) {
			size_t n = fromHex(hex, in);
			int ok;
			if (!strcmp(op, "3of6"))
				ok = (wmbus_chip_bytes_3of6(count) <= n) && wmbus_decode_3of6(in, out, count);
			else if (!strcmp(op, "manchester"))
				ok = (2 * count <= n) && wmbus_decode_manchester(in, out, count);
			else
				ok = (count >= kDllHeaderBytes) && (wmbus_format_a_on_air_bytes(count) <= n) && wmbus_strip_blocks_a(in, out, count);
			if (ok)
				printHex("ok ", out, count);
			else
				puts("bad");
		}
		else if (sscanf(line, "%15s %8192s", op, hex) >= 1) {
			size_t n = fromHex(hex, in);
			printf("%04x\n", !strcmp(op, "crc16") ? wmbus_crc16(in, n) : wmbus_crc16_ccitt(in, n));
		}
		fflush(stdout);
	}
	return 0;
}
