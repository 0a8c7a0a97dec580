/*
 * ESP-IDF v5 services the Moddable SDK does not wrap: deep sleep with timer / ext0 / ext1 wake,
 * the wake cause, a block of RTC slow memory kept across deep sleep, the RTC-backed system time,
 * automatic light sleep, the task watchdog, the factory MAC. Bound to JavaScript by
 * native/esp32_power.js (`function f() @ "xs_..."`); each function checks its arguments and
 * throws instead of returning error codes.
 */

#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "xsmc.h"
#include "xsHost.h"

#include "esp_attr.h"
#include "esp_mac.h"
#include "esp_pm.h"
#include "esp_sleep.h"
#include "esp_system.h"
#include "esp_task_wdt.h"
#include "driver/gpio.h"

/* Bytes of RTC slow memory the application gets (PowerControl.retained). */
#define kRetainedBytes (256)
/* Marks the block as initialised; RTC_NOINIT memory holds noise after a power-on. */
#define kRetainedMagic (0x574D4255UL)
/* ESP32 has GPIO 0..39: a 64-bit mask covers every pad. */
#define kPinLimit (64)
/* CPU clock bounds for dynamic frequency scaling; 40 MHz is the crystal, the lowest DFS step. */
#ifdef CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ
	#define kMaxCpuMhz CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ
#else
	#define kMaxCpuMhz (80)
#endif
#define kMinCpuMhz (40)

typedef struct {
	uint32_t	magic;
	uint64_t	heldMask;		/* pads latched by gpio_hold_en() for the last deep sleep */
	uint64_t	heldLevels;		/* the level each latched pad was driven to */
	uint8_t		bytes[kRetainedBytes];
} RetainedBlock;

static RTC_NOINIT_ATTR RetainedBlock gRetained;
static uint8_t gRetainedChecked;

static esp_task_wdt_user_handle_t gWatchdog;
static esp_pm_lock_handle_t gAwakeLock;
static uint8_t gAwakeHeld;

static RetainedBlock *retained(void)
{
	if (!gRetainedChecked) {
		esp_reset_reason_t reason = esp_reset_reason();
		/* A power-on or brown-out lost the RTC domain: whatever is there is noise. */
		if ((kRetainedMagic != gRetained.magic) || (ESP_RST_POWERON == reason) || (ESP_RST_BROWNOUT == reason)) {
			memset(&gRetained, 0, sizeof(gRetained));
			gRetained.magic = kRetainedMagic;
		}
		gRetainedChecked = 1;
	}
	return &gRetained;
}

static const char *resetCause(esp_reset_reason_t reason)
{
	switch (reason) {
		case ESP_RST_TASK_WDT:
		case ESP_RST_INT_WDT:
		case ESP_RST_WDT:
			return "watchdog";
		case ESP_RST_SW:
		case ESP_RST_PANIC:
		case ESP_RST_EXT:
		case ESP_RST_DEEPSLEEP:
			return "reset";
		default:
			return "power-on";
	}
}

/*
 * ESP-IDF v6.0 deprecates esp_sleep_get_wakeup_cause() (one cause) for esp_sleep_get_wakeup_causes(),
 * a bitmap with bit (1 << cause) set for every source that woke the chip; 0 after a boot that was
 * not a wake from sleep. When several of ours are set the first of timer, hall (ext0), usb (ext1)
 * wins, the order in which ESP-IDF v5's esp_sleep_get_wakeup_cause() tested them, so one string
 * comes out as before.
 */
#define kWokeBy(causes, source) (0 != ((causes) & (1UL << (source))))

void xs_power_wake_cause(xsMachine *the)
{
	uint32_t causes = esp_sleep_get_wakeup_causes();
	const char *cause;

	if (kWokeBy(causes, ESP_SLEEP_WAKEUP_TIMER))
		cause = "timer";
	else if (kWokeBy(causes, ESP_SLEEP_WAKEUP_EXT0))
		cause = "hall";
	else if (kWokeBy(causes, ESP_SLEEP_WAKEUP_EXT1))
		cause = "usb";
	else
		cause = resetCause(esp_reset_reason());
	xsmcSetString(xsResult, (char *)cause);
}

/* deepSleep(durationUs, hallPin, hallLevel, usbPin, holdMask, levelMask): never returns. */
void xs_power_deep_sleep(xsMachine *the)
{
	double durationUs = xsmcToNumber(xsArg(0));
	int hallPin = xsmcToInteger(xsArg(1));
	int hallLevel = xsmcToInteger(xsArg(2));
	int usbPin = xsmcToInteger(xsArg(3));
	double holdArg = (xsmcArgc > 4) ? xsmcToNumber(xsArg(4)) : 0;
	double levelArg = (xsmcArgc > 5) ? xsmcToNumber(xsArg(5)) : 0;
	uint64_t holdMask = (holdArg > 0) ? (uint64_t)holdArg : 0;
	uint64_t levelMask = (levelArg > 0) ? (uint64_t)levelArg : 0;
	RetainedBlock *block = retained();
	int pin;

	if (durationUs > 0) {
		if (ESP_OK != esp_sleep_enable_timer_wakeup((uint64_t)durationUs))
			xsRangeError("invalid sleep duration");
	}
	if (hallPin >= 0) {
		if (ESP_OK != esp_sleep_enable_ext0_wakeup((gpio_num_t)hallPin, hallLevel ? 1 : 0))
			xsRangeError("hall pin is not an RTC GPIO");
	}
	if (usbPin >= 0) {
		if (ESP_OK != esp_sleep_enable_ext1_wakeup(1ULL << usbPin, ESP_EXT1_WAKEUP_ANY_HIGH))
			xsRangeError("usb pin is not an RTC GPIO");
	}

	block->heldMask = holdMask;
	block->heldLevels = levelMask & holdMask;
	for (pin = 0; pin < kPinLimit; pin++) {
		if (holdMask & (1ULL << pin))
			gpio_hold_en((gpio_num_t)pin);
	}
	if (holdMask)
		gpio_deep_sleep_hold_en();

	esp_deep_sleep_start();
}

/* heldLevel(pin): the level a pad was latched at for the deep sleep that just ended, or -1. */
void xs_power_held_level(xsMachine *the)
{
	int pin = xsmcToInteger(xsArg(0));
	RetainedBlock *block = retained();

	if ((pin < 0) || (pin >= kPinLimit) || !(block->heldMask & (1ULL << pin)))
		xsmcSetInteger(xsResult, -1);
	else
		xsmcSetInteger(xsResult, (int)((block->heldLevels >> pin) & 1));
}

/* releaseHolds(): the pads follow their drivers again (call after re-driving them). */
void xs_power_release_holds(xsMachine *the)
{
	RetainedBlock *block = retained();
	int pin;

	(void)the;

	for (pin = 0; pin < kPinLimit; pin++) {
		if (block->heldMask & (1ULL << pin))
			gpio_hold_dis((gpio_num_t)pin);
	}
	gpio_deep_sleep_hold_dis();
	block->heldMask = 0;
	block->heldLevels = 0;
}

void xs_power_retained_read(xsMachine *the)
{
	RetainedBlock *block = retained();
	xsmcSetArrayBuffer(xsResult, block->bytes, kRetainedBytes);
}

void xs_power_retained_write(xsMachine *the)
{
	RetainedBlock *block = retained();
	void *data;
	xsUnsignedValue length;

	xsmcGetBufferReadable(xsArg(0), &data, &length);
	if (length > kRetainedBytes)
		length = kRetainedBytes;
	memcpy(block->bytes, data, length);
}

void xs_power_restart(xsMachine *the)
{
	(void)the;
	esp_restart();
}

void xs_power_chip_id(xsMachine *the)
{
	uint8_t mac[6];
	char text[13];

	if (ESP_OK != esp_efuse_mac_get_default(mac))
		xsUnknownError("no factory MAC");
	snprintf(text, sizeof(text), "%02x%02x%02x%02x%02x%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	xsmcSetString(xsResult, text);
}

/* lightSleep(enable): false when power management is not compiled in (CONFIG_PM_ENABLE). */
void xs_power_light_sleep(xsMachine *the)
{
	esp_pm_config_t config = {
		.max_freq_mhz = kMaxCpuMhz,
		.min_freq_mhz = kMinCpuMhz,
		.light_sleep_enable = xsmcTest(xsArg(0)) ? true : false
	};
	xsmcSetBoolean(xsResult, ESP_OK == esp_pm_configure(&config));
}

void xs_power_hold_awake(xsMachine *the)
{
	uint8_t hold = xsmcTest(xsArg(0)) ? 1 : 0;

	if (NULL == gAwakeLock) {
		if (ESP_OK != esp_pm_lock_create(ESP_PM_NO_LIGHT_SLEEP, 0, "wmbus-awake", &gAwakeLock))
			return;		/* no power management: the CPU never light-sleeps anyway */
	}
	if (hold && !gAwakeHeld) {
		esp_pm_lock_acquire(gAwakeLock);
		gAwakeHeld = 1;
	}
	else if (!hold && gAwakeHeld) {
		esp_pm_lock_release(gAwakeLock);
		gAwakeHeld = 0;
	}
}

void xs_rtc_now(xsMachine *the)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	xsmcSetNumber(xsResult, ((double)tv.tv_sec * 1000.0) + (double)(tv.tv_usec / 1000));
}

void xs_rtc_set(xsMachine *the)
{
	double ms = xsmcToNumber(xsArg(0));
	struct timeval tv;

	if (!(ms >= 0))
		xsRangeError("invalid time");
	tv.tv_sec = (time_t)(ms / 1000.0);
	tv.tv_usec = (suseconds_t)((ms - ((double)tv.tv_sec * 1000.0)) * 1000.0);
	if (0 != settimeofday(&tv, NULL))
		xsUnknownError("settimeofday failed");
}

/*
 * The application subscribes as a task-watchdog "user" (ESP-IDF v5), independent of the Moddable
 * main task's own subscription: a missed feed panics and reboots with ESP_RST_TASK_WDT.
 */
void xs_watchdog_start(xsMachine *the)
{
	int timeoutMs = xsmcToInteger(xsArg(0));
	esp_task_wdt_config_t config = {
		.timeout_ms = (uint32_t)timeoutMs,
		.idle_core_mask = 0,
		.trigger_panic = true
	};
	esp_err_t err;

	if (timeoutMs <= 0)
		xsRangeError("invalid watchdog timeout");
#ifdef CONFIG_ESP_TASK_WDT_CHECK_IDLE_TASK_CPU0
	config.idle_core_mask |= 1 << 0;
#endif
#ifdef CONFIG_ESP_TASK_WDT_CHECK_IDLE_TASK_CPU1
	config.idle_core_mask |= 1 << 1;
#endif

	err = esp_task_wdt_reconfigure(&config);
	if (ESP_ERR_INVALID_STATE == err)
		err = esp_task_wdt_init(&config);
	if (ESP_OK != err)
		xsUnknownError("task watchdog configuration failed");

	if (NULL == gWatchdog) {
		if (ESP_OK != esp_task_wdt_add_user("wmbus-app", &gWatchdog)) {
			gWatchdog = NULL;
			xsUnknownError("task watchdog subscription failed");
		}
	}
	esp_task_wdt_reset_user(gWatchdog);
}

void xs_watchdog_feed(xsMachine *the)
{
	(void)the;
	if (gWatchdog)
		esp_task_wdt_reset_user(gWatchdog);
}

void xs_watchdog_stop(xsMachine *the)
{
	(void)the;
	if (gWatchdog) {
		esp_task_wdt_delete_user(gWatchdog);
		gWatchdog = NULL;
	}
}
