/** No RegExp is made while a device module loads (tests/build/preloaded-regexp.ts says why). */
import { HOST_GRAPH } from '../../sim/moddable/manifest.node';
import { imageModuleLevelRegExps, moduleLevelRegExps } from './preloaded-regexp';

describe('RegExps in the preloaded image', () => {
  test('no device module makes a RegExp while it loads', () => {
    expect(imageModuleLevelRegExps()).toEqual([]);
  });

  test('nor does any module of the simulator program preloaded on the SDK XS (sim/moddable/)', () => {
    expect(imageModuleLevelRegExps(HOST_GRAPH)).toEqual([]);
  });

  test('a module-level literal, a static field and new RegExp are found', () => {
    const source = ["const A = /^a$/;", "export const B = { b: /b/ };", "class C { static d = new RegExp('d'); }", "const E = RegExp('e');"].join('\n');
    expect(moduleLevelRegExps('m.ts', source).map((r) => [r.line, r.text])).toEqual([
      [1, '/^a$/'],
      [2, '/b/'],
      [3, "new RegExp('d')"],
      [4, "RegExp('e')"],
    ]);
  });

  test('literals inside functions, methods, arrow functions and instance fields are left alone', () => {
    const source = [
      'function f(t: string) { return /^f$/.test(t); }',
      'const g = (t: string) => /g/.test(t);',
      'class H { i = /i/; m(t: string) { return new RegExp("m").test(t); } }',
    ].join('\n');
    expect(moduleLevelRegExps('m.ts', source)).toEqual([]);
  });
});
