import { freezeTable } from '../protocol/freeze';

/** Keys of the persistent settings store (NVS: at most 15 characters). */
export const KEY = freezeTable({
  config: 'cfg',
  factoryPreset: 'cfgFactory',
  configCopyPending: 'cfgCopy',
  whitelist: 'wl',
  counters: 'ctr',
  radioState: 'radio',
  /** tasks/radio/filter.ts SuppressionTable.save: the running suppression timers. */
  radioSuppression: 'radioSup',
  modemState: 'modem',
  monitorState: 'mon',
  localState: 'local',
  session: 'session',
  simPin: 'simpin',
  /** tasks/firmware/updater.ts: the bootloader's last rollback was reported. */
  firmwareRollback: 'fwRollback',
} as const);
