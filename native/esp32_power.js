/*
 * Bindings to native/esp32_power.c in the Moddable app-native pattern: each function's body is
 * the C function named after `@`. Typings: types/esp32_power.d.ts.
 */

function deepSleep(durationUs, hallPin, hallLevel, usbPin, holdMask, levelMask) @ "xs_power_deep_sleep";
function heldLevel(pin) @ "xs_power_held_level";
function releaseHolds() @ "xs_power_release_holds";
function wakeCause() @ "xs_power_wake_cause";
function retainedRead() @ "xs_power_retained_read";
function retainedWrite(buffer) @ "xs_power_retained_write";
function restart() @ "xs_power_restart";
function chipId() @ "xs_power_chip_id";
function lightSleep(enable) @ "xs_power_light_sleep";
function holdAwake(hold) @ "xs_power_hold_awake";
function rtcNow() @ "xs_rtc_now";
function rtcSet(utcMs) @ "xs_rtc_set";
function watchdogStart(timeoutMs) @ "xs_watchdog_start";
function watchdogFeed() @ "xs_watchdog_feed";
function watchdogStop() @ "xs_watchdog_stop";

export {
	deepSleep, heldLevel, releaseHolds, wakeCause, retainedRead, retainedWrite, restart, chipId, lightSleep, holdAwake,
	rtcNow, rtcSet, watchdogStart, watchdogFeed, watchdogStop
};

/* The whole module as one frozen object: the board imports it as a default (a const binding), since
 * xsl reports a namespace import (`import * as`) as a closure that is not const ("no const"). */
export default Object.freeze({ deepSleep, heldLevel, releaseHolds, wakeCause, retainedRead, retainedWrite, restart, chipId, lightSleep, holdAwake, rtcNow, rtcSet, watchdogStart, watchdogFeed, watchdogStop });
