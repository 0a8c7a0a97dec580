import type { ModemErrorCode } from './types';

/** Why a modem operation failed; `detail` carries the modem's own words (`+CME ERROR: 16`). */
export class ModemError extends Error {
  override readonly name = 'ModemError';

  constructor(readonly code: ModemErrorCode, readonly detail = '') {
    super(detail === '' ? code : `${code}: ${detail}`);
  }
}

export function isModemError(e: unknown, code?: ModemErrorCode): e is ModemError {
  return e instanceof ModemError && (code === undefined || e.code === code);
}
