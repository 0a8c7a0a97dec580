/** The USB mass-storage drive the installer drops files on. */
export interface UsbDrive {
  /** Whether a host is connected (connecting the cable wakes the box). */
  connected(): boolean;
  /** Files the installer dropped since the last `take`, removed from the drive as they are taken. */
  take(): { name: string; bytes: Uint8Array }[];
  /** Writes a file back for the installer (ACKs, requested files). */
  put(name: string, bytes: Uint8Array): void;
  onConnect(callback: () => void): void;
}
