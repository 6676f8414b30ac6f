#!/usr/bin/env node
/**
 * Import-cycle check between the folders of src/.
 *
 *   node scripts/check-imports.mjs [--graph]
 *
 * A folder is the first path segment under src/ (src/http/api/jobs.ts belongs to `http`). Files directly in src/
 * are the root: anyone may import them, so imports of root files are no edges. Every relative `import`,
 * `export ... from`, `import type` and dynamic `import()` of every src/**\/*.ts counts, type-only ones too: a type
 * import still ties the two folders together.
 *
 * Prints every elementary cycle of the folder graph with one example import per edge and exits 1 when there is
 * one; `--graph` also prints the folder graph (who imports whom, with counts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = '(root)';
const MAX_CYCLES = 200;

/** @param {string} dir @returns {string[]} every .ts file under dir, sorted */
export function sourceFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

/** @param {string} srcDir @param {string} file @returns {string} the folder a file belongs to */
export function folderOf(srcDir, file) {
  const parts = path.relative(srcDir, file).split(path.sep);
  return parts.length > 1 ? /** @type {string} */ (parts[0]) : ROOT;
}

/**
 * The folder graph: for each edge `from -> to` (different folders, `to` not the root) the imports that make it.
 * @param {string} srcDir
 * @returns {Map<string, Map<string, {file: string, line: number, specifier: string}[]>>}
 */
export function folderGraph(srcDir) {
  const graph = new Map();
  for (const file of sourceFiles(srcDir)) {
    const from = folderOf(srcDir, file);
    const text = fs.readFileSync(file, 'utf8');
    const info = ts.preProcessFile(text, true, true);
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), ref.fileName);
      if (!target.startsWith(srcDir + path.sep)) continue;
      const to = folderOf(srcDir, target);
      if (to === from || to === ROOT) continue;
      const line = text.slice(0, ref.pos).split('\n').length;
      const edges = graph.get(from) ?? new Map();
      graph.set(from, edges);
      const examples = edges.get(to) ?? [];
      edges.set(to, examples);
      examples.push({ file: path.relative(path.dirname(srcDir), file), line, specifier: ref.fileName });
    }
  }
  return graph;
}

/**
 * Every elementary cycle, each listed once, starting at its smallest folder name (up to MAX_CYCLES).
 * @param {Map<string, Map<string, unknown>>} graph
 * @returns {string[][]}
 */
export function findCycles(graph) {
  const nodes = [...new Set([...graph.keys(), ...[...graph.values()].flatMap((e) => [...e.keys()])])].sort();
  const cycles = [];
  for (const start of nodes) {
    const stack = [start];
    const onPath = new Set(stack);
    const walk = (node) => {
      for (const next of [...(graph.get(node)?.keys() ?? [])].sort()) {
        if (cycles.length >= MAX_CYCLES) return;
        if (next === start) cycles.push([...stack]);
        else if (next > start && !onPath.has(next)) {
          stack.push(next);
          onPath.add(next);
          walk(next);
          onPath.delete(next);
          stack.pop();
        }
      }
    };
    walk(start);
  }
  return cycles;
}

function main() {
  const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const graph = folderGraph(srcDir);
  if (process.argv.includes('--graph')) {
    for (const [from, edges] of [...graph].sort()) {
      const list = [...edges].sort().map(([to, ex]) => `${to} (${ex.length})`);
      process.stdout.write(`${from} -> ${list.join(', ')}\n`);
    }
  }
  const cycles = findCycles(graph);
  for (const cycle of cycles) {
    process.stdout.write(`cycle: ${[...cycle, cycle[0]].join(' -> ')}\n`);
    cycle.forEach((from, i) => {
      const to = cycle[(i + 1) % cycle.length];
      const example = graph.get(from)?.get(to)?.[0];
      if (example)
        process.stdout.write(`  ${from} -> ${to}: ${example.file}:${example.line} '${example.specifier}'\n`);
    });
  }
  if (cycles.length >= MAX_CYCLES) process.stdout.write(`(stopped after ${MAX_CYCLES} cycles)\n`);
  process.stdout.write(`${cycles.length} import cycle(s) between src folders\n`);
  process.exitCode = cycles.length > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
