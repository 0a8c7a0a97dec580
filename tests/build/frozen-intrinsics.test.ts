/**
 * Preloading freezes the built-in prototypes (the SDK's `documentation/xs/preload.md`), so on the
 * device assigning a property a frozen prototype already has, `this.name = 'FtpError'` in an Error
 * subclass above all, throws instead of naming the error. Every Error subclass of the device image
 * is built here in a realm whose intrinsics are frozen the same way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as ts from 'typescript';
import { DEVICE_GRAPH } from './device-manifest';
import { REPO, moduleGraph, sourceFile } from './module-graph';

const FROZEN_INTRINSICS = ['Object', 'Function', 'Array', 'Error', 'TypeError', 'RangeError', 'SyntaxError', 'Promise', 'Map', 'Set', 'Uint8Array', 'DataView', 'ArrayBuffer'];

function frozenRealm(): vm.Context {
  const context = vm.createContext({});
  vm.runInContext(`for (const name of ${JSON.stringify(FROZEN_INTRINSICS)}) { Object.freeze(globalThis[name].prototype); Object.freeze(globalThis[name]); }`, context);
  return context;
}

/** Stands in for every import: callable, constructible, and every property is itself. */
function anything(): unknown {
  const target = function () {};
  const proxy: unknown = new Proxy(target, {
    get: (_t, key) => (key === Symbol.toPrimitive ? () => 0 : proxy),
    apply: () => proxy,
    construct: () => proxy as object,
  });
  return proxy;
}

const ERROR_CLASS = /class (\w+) extends Error\b/g;
const HAS_ERROR_CLASS = /class \w+ extends Error\b/;

/** The module run in the frozen realm; returns its Error subclasses by name. */
function errorClasses(source: string, context: vm.Context): Record<string, new () => Error> {
  const names = [...source.matchAll(ERROR_CLASS)].map((m) => m[1]);
  const withExports = `${source}\nexports.__errors = { ${names.join(', ')} };\n`;
  const js = ts.transpileModule(withExports, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS } }).outputText;
  const exports: Record<string, unknown> = {};
  vm.runInContext(`(function (exports, require) {\n${js}\n})`, context)(exports, anything);
  return exports.__errors as Record<string, new () => Error>;
}

const modulesWithErrors = moduleGraph(DEVICE_GRAPH)
  .modules.map((m) => sourceFile(m))
  .filter((file) => file.endsWith('.ts') && HAS_ERROR_CLASS.test(fs.readFileSync(file, 'utf8')));

describe('Error subclasses under frozen intrinsics, as preloaded on the device', () => {
  test('the device image has Error subclasses to check', () => {
    expect(modulesWithErrors.map((f) => path.relative(REPO, f))).toEqual(expect.arrayContaining(['protocol/ftp/client.ts', 'protocol/sntp/sntp.ts', 'drivers/modem/errors.ts', 'tasks/modem/deadline.ts']));
  });

  test.each(modulesWithErrors.map((f) => [path.relative(REPO, f), f]))('%s: each error is built and carries its class name', (_name, file) => {
    const classes = errorClasses(fs.readFileSync(file, 'utf8'), frozenRealm());
    for (const [name, ErrorClass] of Object.entries(classes)) {
      const error = new ErrorClass();
      expect(error.name).toBe(name);
      expect(String(error)).toMatch(new RegExp(`^${name}`));
    }
  });

  test('the realm is faithful: assigning the inherited name throws there', () => {
    const source = "export class Named extends Error {\n  constructor() {\n    super('x');\n    this.name = 'Named';\n  }\n}\n";
    const classes = errorClasses(source, frozenRealm());
    expect(() => new classes.Named()).toThrow(/read.only property 'name'/);
  });
});
