/** BLE configuration link: one write characteristic in, one notify characteristic out. */
export interface BleLink {
  /** Starts advertising; the link closes itself after `idleTimeoutMs` without activity. */
  enable(pin: string, idleTimeoutMs: number): void;
  disable(): void;
  readonly enabled: boolean;
  /** Called with each complete message the phone wrote. */
  onMessage(callback: (bytes: Uint8Array) => void): void;
  notify(bytes: Uint8Array): void;
}
