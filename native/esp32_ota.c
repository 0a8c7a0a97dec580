/*
 * ESP-IDF v5 application OTA with rollback for drivers/esp32/ota.ts: the app slots ota_0 and ota_1
 * of sdkconfig/partitions.csv (slot 0 and slot 1), written with esp_ota_begin/write/end, and the
 * image states the bootloader keeps for them in the otadata partition
 * (CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE). Bound to JavaScript by native/esp32_ota.js
 * (`function f() @ "xs_..."`); typings in types/esp32_ota.d.ts.
 *
 * The esp_ota_* calls sit in plain functions returning esp_err_t (ota*); the xs_* functions only
 * convert arguments and results, and turn every esp_err_t other than ESP_OK into a thrown Error
 * "<IDF call>: <esp_err_to_name()>".
 *
 * Assumptions (read against esp_ota_ops.h; .ci/native-check compiles this file for syntax and types
 * against the ESP-IDF v6.0 headers, but nothing here links or runs it):
 * - the Moddable ESP32 build links the app_update component, which the SDK's own OTA module uses;
 * - one image is written at a time, so one static handle; the XS machine runs on one task, so the
 *   handle needs no lock;
 * - esp_ota_begin() numbers handles from 1, so 0 means "no handle was issued";
 * - xsmcGetBufferReadable() accepts an ArrayBuffer or a typed-array view, giving the view's bytes.
 */

#include <stdint.h>

#include "xsmc.h"
#include "xsHost.h"

#include "sdkconfig.h"
#include "esp_err.h"
#include "esp_idf_version.h"
/* The SDK's ESP32 include path has $(IDF_PATH)/components, not app_update/include: spelled as the SDK does. */
#include "app_update/include/esp_ota_ops.h"
#include "esp_partition.h"

#ifndef CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE
	#error "native/esp32_ota.c needs CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y (sdkconfig/sdkconfig.defaults)"
#endif

/* sdkconfig/partitions.csv has two app slots, ota_0 and ota_1. */
#define kSlotCount (2)
/* slotState() when otadata holds no record for a slot (blank otadata after a factory flash). */
#define kStateNone (-1)
/* esp_ota_mark_app_invalid_rollback(), which marks without restarting, is in ESP-IDF v5.5 and later. */
#define kMarkInvalidWithoutRestart (ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(5, 5, 0))

static esp_ota_handle_t gHandle;
static uint8_t gWriting;

static const esp_partition_t *slotPartition(int slot)
{
	if ((slot < 0) || (slot >= kSlotCount))
		return NULL;
	return esp_partition_find_first(ESP_PARTITION_TYPE_APP, (esp_partition_subtype_t)(ESP_PARTITION_SUBTYPE_APP_OTA_0 + slot), NULL);
}

/* The slot a partition is, or -1 for anything but ota_0 / ota_1 (a factory or test app, NULL). */
static int partitionSlot(const esp_partition_t *partition)
{
	int slot;

	if ((NULL == partition) || (ESP_PARTITION_TYPE_APP != partition->type))
		return -1;
	slot = (int)partition->subtype - (int)ESP_PARTITION_SUBTYPE_APP_OTA_0;
	return ((slot >= 0) && (slot < kSlotCount)) ? slot : -1;
}

static esp_err_t otaAbort(void)
{
	if (!gWriting)
		return ESP_OK;
	gWriting = 0;
	return esp_ota_abort(gHandle);
}

/* Erases the first `size` bytes of the slot (rounded up to sectors) for an image of that size. */
static esp_err_t otaBegin(int slot, size_t size)
{
	const esp_partition_t *partition = slotPartition(slot);
	esp_err_t err;

	if (NULL == partition)
		return ESP_ERR_NOT_FOUND;
	/* esp_ota_begin() reads 0 as "erase the whole slot"; an image here always has its size. */
	if ((0 == size) || (size > partition->size))
		return ESP_ERR_INVALID_SIZE;
	otaAbort();
	gHandle = 0;
	err = esp_ota_begin(partition, size, &gHandle);
	if (ESP_OK == err)
		gWriting = 1;
	else if (0 != gHandle)
		esp_ota_abort(gHandle);		/* the erase failed after the handle was issued: free it */
	return err;
}

static esp_err_t otaWrite(const void *data, size_t length)
{
	if (!gWriting)
		return ESP_ERR_INVALID_STATE;
	return esp_ota_write(gHandle, data, length);
}

/* Validates the image written (esp_image_verify); the handle is freed whatever the result. */
static esp_err_t otaEnd(void)
{
	if (!gWriting)
		return ESP_ERR_INVALID_STATE;
	gWriting = 0;
	return esp_ota_end(gHandle);
}

/* Copies `length` bytes from `offset` of the slot's partition (decrypted when flash encryption is on). */
static esp_err_t otaRead(int slot, size_t offset, void *out, size_t length)
{
	const esp_partition_t *partition = slotPartition(slot);

	if (NULL == partition)
		return ESP_ERR_NOT_FOUND;
	if ((offset > partition->size) || (length > (partition->size - offset)))
		return ESP_ERR_INVALID_SIZE;
	return esp_partition_read(partition, offset, out, length);
}

/* Verifies the slot's image, then points otadata at it in state NEW: the next boot is its trial. */
static esp_err_t otaSetBoot(int slot)
{
	const esp_partition_t *partition = slotPartition(slot);

	if (NULL == partition)
		return ESP_ERR_NOT_FOUND;
	return esp_ota_set_boot_partition(partition);
}

/* The slot's esp_ota_img_states_t as a number (ESP_OTA_IMG_UNDEFINED is 0xFFFFFFFF), or kStateNone. */
static esp_err_t otaSlotState(int slot, double *state)
{
	const esp_partition_t *partition = slotPartition(slot);
	esp_ota_img_states_t value;
	esp_err_t err;

	if (NULL == partition)
		return ESP_ERR_NOT_FOUND;
	err = esp_ota_get_state_partition(partition, &value);
	if (ESP_ERR_NOT_FOUND == err) {
		*state = kStateNone;
		return ESP_OK;
	}
	if (ESP_OK == err)
		*state = (double)(uint32_t)value;
	return err;
}

/*
 * Abandons the running trial image without restarting. From ESP-IDF v5.5 it is marked INVALID at
 * once. Before v5.5 the only call that marks it also restarts, which would lose what the caller
 * does before its own restart; there the image is left PENDING_VERIFY and the bootloader marks it
 * ABORTED at the next boot and starts the previous image, which is the same outcome one boot later.
 * Either way the previous image must be bootable, or there is nothing to go back to.
 */
static esp_err_t otaMarkInvalid(void)
{
#if kMarkInvalidWithoutRestart
	return esp_ota_mark_app_invalid_rollback();
#else
	return esp_ota_check_rollback_is_possible() ? ESP_OK : ESP_ERR_OTA_ROLLBACK_FAILED;
#endif
}

static void check(xsMachine *the, esp_err_t err, const char *call)
{
	if (ESP_OK != err)
		xsUnknownError("%s: %s", call, esp_err_to_name(err));
}

static int slotArgument(xsMachine *the, int index)
{
	int slot = xsmcToInteger(xsArg(index));

	if ((slot < 0) || (slot >= kSlotCount))
		xsRangeError("no OTA slot %d", slot);
	return slot;
}

void xs_app_ota_running_slot(xsMachine *the)
{
	int slot = partitionSlot(esp_ota_get_running_partition());

	if (slot < 0)
		xsUnknownError("esp_ota_get_running_partition: not an OTA slot");
	xsmcSetInteger(xsResult, slot);
}

void xs_app_ota_next_slot(xsMachine *the)
{
	int slot = partitionSlot(esp_ota_get_next_update_partition(NULL));

	if (slot < 0)
		xsUnknownError("esp_ota_get_next_update_partition: %s", esp_err_to_name(ESP_ERR_NOT_FOUND));
	xsmcSetInteger(xsResult, slot);
}

/* The slot otadata selects for the next boot; -1 when that is not an OTA slot. */
void xs_app_ota_boot_slot(xsMachine *the)
{
	xsmcSetInteger(xsResult, partitionSlot(esp_ota_get_boot_partition()));
}

void xs_app_ota_slot_bytes(xsMachine *the)
{
	int slot = slotArgument(the, 0);
	const esp_partition_t *partition = slotPartition(slot);

	if (NULL == partition)
		xsUnknownError("esp_partition_find_first: %s", esp_err_to_name(ESP_ERR_NOT_FOUND));
	xsmcSetNumber(xsResult, (double)partition->size);
}

void xs_app_ota_slot_state(xsMachine *the)
{
	int slot = slotArgument(the, 0);
	double state = kStateNone;

	check(the, otaSlotState(slot, &state), "esp_ota_get_state_partition");
	xsmcSetNumber(xsResult, state);
}

/* begin(slot, size) */
void xs_app_ota_begin(xsMachine *the)
{
	int slot = slotArgument(the, 0);
	double size = xsmcToNumber(xsArg(1));

	if (!(size >= 1) || (size > (double)UINT32_MAX) || (size != (double)(uint32_t)size))
		xsRangeError("invalid image size");
	check(the, otaBegin(slot, (size_t)size), "esp_ota_begin");
}

/* write(bytes): an ArrayBuffer or a view; appended to the image being written. */
void xs_app_ota_write(xsMachine *the)
{
	void *data;
	xsUnsignedValue length;

	xsmcGetBufferReadable(xsArg(0), &data, &length);
	check(the, otaWrite(data, (size_t)length), "esp_ota_write");
}

void xs_app_ota_end(xsMachine *the)
{
	check(the, otaEnd(), "esp_ota_end");
}

void xs_app_ota_abort(xsMachine *the)
{
	check(the, otaAbort(), "esp_ota_abort");
}

/*
 * read(slot, offset, length): a new ArrayBuffer of `length` bytes. The buffer is allocated first and
 * its address taken after, as the allocation may move chunks; nothing allocates between that and
 * the read.
 */
void xs_app_ota_read(xsMachine *the)
{
	int slot = slotArgument(the, 0);
	double offset = xsmcToNumber(xsArg(1));
	double length = xsmcToNumber(xsArg(2));
	void *data;
	xsUnsignedValue available;

	if (!(offset >= 0) || (offset > (double)UINT32_MAX) || (offset != (double)(uint32_t)offset))
		xsRangeError("invalid offset");
	if (!(length >= 0) || (length > (double)INT32_MAX) || (length != (double)(uint32_t)length))
		xsRangeError("invalid length");
	xsmcSetArrayBuffer(xsResult, NULL, (xsUnsignedValue)length);
	xsmcGetBufferWritable(xsResult, &data, &available);
	check(the, otaRead(slot, (size_t)offset, data, (size_t)length), "esp_partition_read");
}

void xs_app_ota_set_boot(xsMachine *the)
{
	int slot = slotArgument(the, 0);

	check(the, otaSetBoot(slot), "esp_ota_set_boot_partition");
}

void xs_app_ota_mark_valid(xsMachine *the)
{
	check(the, esp_ota_mark_app_valid_cancel_rollback(), "esp_ota_mark_app_valid_cancel_rollback");
}

void xs_app_ota_rollback_possible(xsMachine *the)
{
	xsmcSetBoolean(xsResult, esp_ota_check_rollback_is_possible());
}

void xs_app_ota_mark_invalid(xsMachine *the)
{
	check(the, otaMarkInvalid(), "esp_ota_mark_app_invalid_rollback");
}
