import type { ModemErrorCode } from './types';

/** Why a modem operation failed; `detail` carries the modem's own words (`+CME ERROR: 16`). */
export class ModemError extends Error {
  constructor(readonly code: ModemErrorCode, readonly detail = '') {
    super(detail === '' ? code : `${code}: ${detail}`);
    this.name = 'ModemError';
  }
}

export function isModemError(e: unknown, code?: ModemErrorCode): e is ModemError {
  return e instanceof ModemError && (code === undefined || e.code === code);
}
