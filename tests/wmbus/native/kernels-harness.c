/*
 * Host harness for the plain C kernels of native/wmbus_kernels.c (tests/wmbus/kernels.test.ts):
 * one request per line on stdin, one answer per line on stdout.
 *   crc16 HEX | ccitt HEX                  -> 4 hex digits
 *   3of6 COUNT HEX | manchester COUNT HEX  -> "ok HEX" or "bad"
 *   stripa DATABYTES HEX                   -> "ok HEX" or "bad"
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

int main(void)
{
	static char line[3 * kMaxBytes];
	static uint8_t in[kMaxBytes], out[kMaxBytes];
	char op[16], hex[2 * kMaxBytes + 1];
	unsigned long count;
	while (fgets(line, sizeof(line), stdin)) {
		hex[0] = 0;
		if ((sscanf(line, "%15s %lu %8192s", op, &count, hex) == 3) && strcmp(op, "crc16") && strcmp(op, "ccitt")) {
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
