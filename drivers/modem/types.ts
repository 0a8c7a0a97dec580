/** The modem's UART AT channel and its power pins (Quectel BG95-class). */
export interface ModemPort {
  /** Bytes written to the modem; returns the number accepted. */
  write(bytes: Uint8Array): number;
  /** Set once; called whenever bytes arrive from the modem. */
  onReceive(callback: (bytes: Uint8Array) => void): void;
  /** Drives PWRKEY (true = pressed/low on the module side). */
  setPowerKey(pressed: boolean): void;
  /** Cuts or restores the modem's supply rail, where the board has a switch. */
  setSupply(on: boolean): void;
  /** The STATUS pin: true while the module's firmware is running. */
  status(): boolean;
}
