/**
 * native/esp32_ota.js + native/esp32_ota.c: ESP-IDF app OTA with rollback on the slots ota_0 (0)
 * and ota_1 (1). manifest.json lists the module as `esp32_ota` and adds this file to mcconfig's
 * TypeScript `types`. Every ESP-IDF error is thrown as an Error "<IDF call>: <esp_err_to_name>".
 */
declare module 'esp32_ota' {
  /** The slot of esp_ota_get_running_partition(); throws when the running app is not in an OTA slot. */
  export function runningSlot(): number;
  /** The slot of esp_ota_get_next_update_partition(NULL): the one an update writes. */
  export function nextSlot(): number;
  /** The slot otadata boots next (esp_ota_get_boot_partition()), -1 when that is not an OTA slot. */
  export function bootSlot(): number;
  /** The slot partition's size in bytes. */
  export function slotBytes(slot: number): number;
  /**
   * The slot's esp_ota_img_states_t from otadata (0 new, 1 pending verify, 2 valid, 3 invalid,
   * 4 aborted, 0xFFFFFFFF undefined), or -1 when otadata holds no record for it.
   */
  export function slotState(slot: number): number;
  /** esp_ota_begin(): erases the slot for an image of `size` bytes (1 … slot size). */
  export function begin(slot: number, size: number): void;
  /** esp_ota_write(): appends to the image; its first byte must be the app image magic 0xE9. */
  export function write(bytes: ArrayBuffer | ArrayBufferView): void;
  /** esp_ota_end(): validates the image written; the write is over whatever the result. */
  export function end(): void;
  /** esp_ota_abort(): drops the write in progress, if any. */
  export function abort(): void;
  /** esp_partition_read(): `length` bytes from `offset` of the slot's partition, in a new ArrayBuffer. */
  export function read(slot: number, offset: number, length: number): ArrayBuffer;
  /** esp_ota_set_boot_partition(): verifies the slot's image and boots it next, on trial (state new). */
  export function setBoot(slot: number): void;
  /** esp_ota_mark_app_valid_cancel_rollback(): the image otadata boots is valid. */
  export function markValid(): void;
  /** esp_ota_check_rollback_is_possible(): otadata names another slot with an image that verifies. */
  export function rollbackPossible(): boolean;
  /**
   * Abandons the running trial image without restarting: marked invalid (ESP-IDF 5.5+), or left for
   * the bootloader to mark aborted at the next boot (earlier v5). The caller restarts.
   */
  export function markInvalid(): void;
  /** Every function above in one frozen object (the board's default import; see the .js). */
  const api: Omit<typeof import('esp32_ota'), 'default'>;
  export default api;
}
