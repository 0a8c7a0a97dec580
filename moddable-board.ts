/**
 * The module `board` of the Moddable build (manifest.json maps the specifier here). It sits at
 * the repository root because XS resolves the relative import below against the module's own
 * specifier, `board`, exactly as tsc resolves it against this file's directory.
 */
export { createBoard } from './boards/esp32-reference/board';
