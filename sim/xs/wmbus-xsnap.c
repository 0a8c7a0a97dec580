/*
 * Host only: makes the bindings of native/wmbus_kernels.c a global `wmbusNative` object in an
 * xsnap worker (sim/xs/wmbus-xsnap.node.ts links this file, the kernels and a patched worker), so
 * the host can run the C kernels inside XS the way the device's `wmbus_kernels` module does.
 */

#include "xs.h"

extern void xs_wmbus_crc16(xsMachine *the);
extern void xs_wmbus_decode_3of6(xsMachine *the);
extern void xs_wmbus_decode_manchester(xsMachine *the);
extern void xs_wmbus_strip_blocks_a(xsMachine *the);
extern void xs_wmbus_crc16_ccitt(xsMachine *the);
extern void xs_wmbus_filter_identity(xsMachine *the);
extern void xs_wmbus_probe_keys(xsMachine *the);

void wmbusInstallKernels(xsMachine *the);

/* The bindings as native/wmbus_kernels.js exports them: name, C function, argument count. */
static const struct {
	const char *name;
	xsCallback callback;
	xsIntegerValue length;
} gKernels[] = {
	{ "crc16", xs_wmbus_crc16, 3 },
	{ "decode3of6", xs_wmbus_decode_3of6, 4 },
	{ "decodeManchester", xs_wmbus_decode_manchester, 4 },
	{ "stripBlocksA", xs_wmbus_strip_blocks_a, 2 },
	{ "crc16Ccitt", xs_wmbus_crc16_ccitt, 3 },
	{ "filterIdentity", xs_wmbus_filter_identity, 3 },
	{ "probeKeys", xs_wmbus_probe_keys, 8 },
};

/* Called from the worker's xsBuildAgent, inside its host frame (one xsVar). */
void wmbusInstallKernels(xsMachine *the)
{
	size_t i;
	xsResult = xsNewObject();
	for (i = 0; i < sizeof(gKernels) / sizeof(gKernels[0]); i++) {
		xsVar(0) = xsNewHostFunction(gKernels[i].callback, gKernels[i].length);
		xsDefine(xsResult, xsID(gKernels[i].name), xsVar(0), xsDontEnum);
	}
	xsDefine(xsGlobal, xsID("wmbusNative"), xsResult, xsDontEnum);
}
