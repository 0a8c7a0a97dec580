import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { DEVICE_GRAPH } from './device-manifest';
import { REPO, moduleGraph, sourceFile, type GraphOptions } from './module-graph';

/**
 * RegExps that a module creates while it loads: preloading keeps them in the image, and SDK 8.2.3's
 * XS executes such a RegExp with match data it malloc's but the collector takes for a chunk
 * (xs/sources/xsre.c fxAllocateRegExpData: the `else` before c_malloc is missing), which corrupts
 * the heap at the next collection. A literal inside a function is compiled when the function
 * runs, into a real chunk, and is safe.
 */
export interface ModuleLevelRegExp {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** Code that runs later than module load: function bodies, and instance field initialisers. */
function deferred(node: ts.Node): boolean {
  if (ts.isFunctionLike(node)) return true;
  return ts.isPropertyDeclaration(node) && !(node.modifiers ?? []).some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
}

function isRegExp(node: ts.Node): boolean {
  if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) return true;
  return (ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp';
}

export function moduleLevelRegExps(file: string, source: string): ModuleLevelRegExp[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: ModuleLevelRegExp[] = [];
  const visit = (node: ts.Node): void => {
    if (deferred(node)) return;
    if (isRegExp(node)) {
      found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.getText() });
      return;
    }
    node.forEachChild(visit);
  };
  visit(sf);
  return found;
}

/** Every module-level RegExp of an image: the device's by default. */
export function imageModuleLevelRegExps(graph: GraphOptions = DEVICE_GRAPH): ModuleLevelRegExp[] {
  return moduleGraph(graph).modules.flatMap((m) => {
    const file = sourceFile(m);
    return moduleLevelRegExps(path.relative(REPO, file), fs.readFileSync(file, 'utf8'));
  });
}
