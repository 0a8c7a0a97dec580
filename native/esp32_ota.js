/*
 * Bindings to native/esp32_ota.c in the Moddable app-native pattern: each function's body is the
 * C function named after `@`. Typings: types/esp32_ota.d.ts.
 */

function runningSlot() @ "xs_app_ota_running_slot";
function nextSlot() @ "xs_app_ota_next_slot";
function bootSlot() @ "xs_app_ota_boot_slot";
function slotBytes(slot) @ "xs_app_ota_slot_bytes";
function slotState(slot) @ "xs_app_ota_slot_state";
function begin(slot, size) @ "xs_app_ota_begin";
function write(bytes) @ "xs_app_ota_write";
function end() @ "xs_app_ota_end";
function abort() @ "xs_app_ota_abort";
function read(slot, offset, length) @ "xs_app_ota_read";
function setBoot(slot) @ "xs_app_ota_set_boot";
function markValid() @ "xs_app_ota_mark_valid";
function rollbackPossible() @ "xs_app_ota_rollback_possible";
function markInvalid() @ "xs_app_ota_mark_invalid";

export {
	runningSlot, nextSlot, bootSlot, slotBytes, slotState, begin, write, end, abort, read, setBoot, markValid,
	rollbackPossible, markInvalid
};

/* The whole module as one frozen object: the board imports it as a default (a const binding), since
 * xsl reports a namespace import (`import * as`) as a closure that is not const ("no const"). */
export default Object.freeze({ runningSlot, nextSlot, bootSlot, slotBytes, slotState, begin, write, end, abort, read, setBoot, markValid, rollbackPossible, markInvalid });
