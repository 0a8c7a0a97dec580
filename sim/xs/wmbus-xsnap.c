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

/* Called from the worker's xsBuildAgent, inside its host frame (one xsVar). */
void wmbusInstallKernels(xsMachine *the)
{
	xsResult = xsNewObject();
	xsVar(0) = xsNewHostFunction(xs_wmbus_crc16, 3);
	xsDefine(xsResult, xsID("crc16"), xsVar(0), xsDontEnum);
	xsVar(0) = xsNewHostFunction(xs_wmbus_decode_3of6, 4);
	xsDefine(xsResult, xsID("decode3of6"), xsVar(0), xsDontEnum);
	xsVar(0) = xsNewHostFunction(xs_wmbus_decode_manchester, 4);
	xsDefine(xsResult, xsID("decodeManchester"), xsVar(0), xsDontEnum);
	xsVar(0) = xsNewHostFunction(xs_wmbus_strip_blocks_a, 2);
	xsDefine(xsResult, xsID("stripBlocksA"), xsVar(0), xsDontEnum);
	xsVar(0) = xsNewHostFunction(xs_wmbus_crc16_ccitt, 3);
	xsDefine(xsResult, xsID("crc16Ccitt"), xsVar(0), xsDontEnum);
	xsVar(0) = xsNewHostFunction(xs_wmbus_filter_identity, 3);
	xsDefine(xsResult, xsID("filterIdentity"), xsVar(0), xsDontEnum);
	xsVar(0) = xsNewHostFunction(xs_wmbus_probe_keys, 8);
	xsDefine(xsResult, xsID("probeKeys"), xsVar(0), xsDontEnum);
	xsDefine(xsGlobal, xsID("wmbusNative"), xsResult, xsDontEnum);
}
