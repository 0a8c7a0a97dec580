import { freezeTable } from '../freeze';

/** §5.6: the 13 command types, as written in the `type` field. */
export type CommandType =
  | 'request'
  | 'factory'
  | 'firmware'
  | 'diag'
  | 'configGet'
  | 'whiteListErase'
  | 'operatorInit'
  | 'logGet'
  | 'logClean'
  | 'supervisionClean'
  | 'supervisionGet'
  | 'certificate'
  | 'certClean';

export const COMMAND_TYPES: readonly CommandType[] = freezeTable([
  'request',
  'factory',
  'firmware',
  'diag',
  'configGet',
  'whiteListErase',
  'operatorInit',
  'logGet',
  'logClean',
  'supervisionClean',
  'supervisionGet',
  'certificate',
  'certClean',
]);

/**
 * Other spellings accepted for a type. §5.6.11's only example of `supervisionGet` writes
 * `supervisionGetClean`; servers built from that example send it, and it names no other command.
 */
export const COMMAND_TYPE_ALIASES: Readonly<Record<string, CommandType>> = freezeTable({
  supervisionGetClean: 'supervisionGet',
});

/** Commands that name a file in `data`: the image (§6) or the certificate (§5.6.12). */
export type FileCommandType = 'firmware' | 'certificate';
export type PlainCommandType = Exclude<CommandType, FileCommandType>;

export interface PlainCommand {
  readonly type: PlainCommandType;
  /** §5.6: echoed in the ACK; '' when the file gave none. */
  readonly cid: string;
}

export interface FileCommand {
  readonly type: FileCommandType;
  readonly cid: string;
  /** The file named in `data` (in /BIN over FTP, at the drive root over USB). */
  readonly fileName: string;
  /**
   * `firmware` only, product extension beside §6's `data`: `allowDowngrade: true` installs an image
   * older than the running one (docs/firmware-update.md).
   */
  readonly allowDowngrade?: boolean;
}

export type Command = PlainCommand | FileCommand;

/** One entry of a command file: a command to run, or the reason it is refused (with its cid for the ACK). */
export type CommandEntry =
  | { readonly ok: true; readonly command: Command }
  | { readonly ok: false; readonly cid: string; readonly error: string };

/** A whole command file: its entries in order, or why the file as a whole is unusable. */
export type CommandFile = { readonly ok: true; readonly entries: CommandEntry[] } | { readonly ok: false; readonly error: string };
