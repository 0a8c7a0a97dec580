/**
 * A raw flash partition (NOR semantics): erase sets a whole sector to 0xFF, program can only
 * clear bits. A power cut during program or erase leaves the touched bytes undefined (torn).
 */
export interface Flash {
  readonly size: number;
  readonly sectorSize: number;
  read(offset: number, length: number): Uint8Array;
  program(offset: number, bytes: Uint8Array): void;
  eraseSector(index: number): void;
}
