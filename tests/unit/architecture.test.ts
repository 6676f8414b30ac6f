import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');
/** The longest a function in src/ may be, in lines (first to last, comments inside included). */
const MAX_FUNCTION_LINES = 120;

interface FunctionSize {
  where: string;
  name: string;
  lines: number;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

function isFunction(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

function nameOf(node: ts.FunctionLikeDeclaration, file: ts.SourceFile): string {
  if (node.name) return node.name.getText(file);
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name)
    return parent.name.getText(file);
  return '(anonymous)';
}

/** Every function, method, arrow function and function expression in src/, longest first. */
function functionSizes(): FunctionSize[] {
  const sizes: FunctionSize[] = [];
  for (const file of sourceFiles(SRC)) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
    const visit = (node: ts.Node): void => {
      if (isFunction(node)) {
        const first = lineOf(node.getStart(source));
        sizes.push({
          where: `${path.relative(ROOT, file)}:${first + 1}`,
          name: nameOf(node, source),
          lines: lineOf(node.getEnd()) - first + 1,
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return sizes.sort((a, b) => b.lines - a.lines);
}

describe('architecture', () => {
  it('has no import cycle between src folders (scripts/check-imports.mjs)', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/check-imports.mjs')], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('0 import cycle(s)');
    expect(run.status, run.stdout).toBe(0);
  });

  it(`has no function in src longer than ${MAX_FUNCTION_LINES - 1} lines`, () => {
    const sizes = functionSizes();
    const top = sizes.slice(0, 5).map((f) => `${f.lines} lines  ${f.name}  ${f.where}`);
    process.stdout.write(`Largest functions in src:\n  ${top.join('\n  ')}\n`);
    expect(sizes.length).toBeGreaterThan(100);
    expect(sizes.filter((f) => f.lines >= MAX_FUNCTION_LINES).map((f) => `${f.where} ${f.name}`)).toEqual([]);
  });
});

describe('the CLI entry loads a command only when it runs', () => {
  /** What `bevara --version` may load before any command: small modules of its own and commander. */
  const ALLOWED = new Set([
    'commander',
    '../errors.js',
    '../printable.js',
    '../version.js',
    './shutdown.js',
    './lazy.js',
    // A few lines over node:v8: each thread's heap peaks with DEBUG_BEVARA_MEMORY=1, the main thread's included.
    '../memory-debug.js',
    // Registers the disposal and hold commands, which it loads lazily itself.
    './disposal-program.js',
  ]);

  it('src/cli/main.ts has no value import of a command module, the app context or a heavy package', () => {
    const file = path.join(SRC, 'cli', 'main.ts');
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const eager = source.statements
      .filter(ts.isImportDeclaration)
      .filter((node) => !node.importClause?.isTypeOnly)
      .map((node) => (node.moduleSpecifier as ts.StringLiteral).text)
      .filter((specifier) => !ALLOWED.has(specifier));
    expect(eager).toEqual([]);
  });
});
