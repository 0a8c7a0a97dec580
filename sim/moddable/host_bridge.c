/*
 * The Moddable host build's bridge to its Node host (sim/moddable/run.node.ts): `call(ArrayBuffer)`
 * writes the request to file descriptor 3 as [length u32 LE][bytes] and blocks reading the reply,
 * framed the same way, from the same descriptor (Node's extra stdio pipe is a socket pair). The
 * XS machine stands still meanwhile, exactly like xsnap's issueCommand.
 */

#include "xs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define HOST_BRIDGE_FD 3
#define HEADER_BYTES 4

static int gBlocking = 0;

/* Moves all `count` bytes, reading from or writing to the bridge; a closed bridge is an error. */
static void bridgeTransfer(xsMachine *the, uint8_t *bytes, size_t count, int reading)
{
	while (count > 0) {
		ssize_t n = reading ? read(HOST_BRIDGE_FD, bytes, count) : write(HOST_BRIDGE_FD, bytes, count);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			xsUnknownError("host_bridge: %s: %s", reading ? "read" : "write", strerror(errno));
		}
		if (n == 0)
			xsUnknownError("host_bridge: the host closed the bridge");
		bytes += n;
		count -= (size_t)n;
	}
}

void xs_host_bridge_call(xsMachine *the)
{
	uint8_t header[HEADER_BYTES];
	uint32_t length;

	if (!gBlocking) {
		int flags = fcntl(HOST_BRIDGE_FD, F_GETFL);
		if (flags < 0)
			xsUnknownError("host_bridge: no descriptor %d (run me from sim/moddable/run.node.ts)", HOST_BRIDGE_FD);
		if (flags & O_NONBLOCK)
			fcntl(HOST_BRIDGE_FD, F_SETFL, flags & ~O_NONBLOCK);
		gBlocking = 1;
	}

	length = (uint32_t)xsGetArrayBufferLength(xsArg(0));
	header[0] = (uint8_t)length;
	header[1] = (uint8_t)(length >> 8);
	header[2] = (uint8_t)(length >> 16);
	header[3] = (uint8_t)(length >> 24);
	bridgeTransfer(the, header, HEADER_BYTES, 0);
	/* Nothing allocates between taking the buffer's address and the end of the write. */
	bridgeTransfer(the, (uint8_t *)xsToArrayBuffer(xsArg(0)), length, 0);

	bridgeTransfer(the, header, HEADER_BYTES, 1);
	length = (uint32_t)header[0] | ((uint32_t)header[1] << 8) | ((uint32_t)header[2] << 16) | ((uint32_t)header[3] << 24);
	xsResult = xsArrayBuffer(NULL, (xsIntegerValue)length);
	bridgeTransfer(the, (uint8_t *)xsToArrayBuffer(xsResult), length, 1);
}
