/**
 * Transpiles one src/ module and the relative modules it imports into a temp folder as plain JS, so that it
 * can run as another user (`runuser -u nobody -- node ...`) without building the whole project (whose other
 * parts may be mid-edit). Packages resolve through a symlink to the repository's node_modules.
 */
import { chmod, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** Returns the temp folder; `<dir>/src/...` mirrors the sources. World-readable so nobody can run it. */
export async function compileForNobody(entry: string): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'bevara-js-'));
  await chmod(out, 0o755);
  await symlink(join(REPO, 'node_modules'), join(out, 'node_modules'));
  const pending = [resolve(REPO, entry)];
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const source = await readFile(file, 'utf8');
    for (const m of source.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) {
      pending.push(resolve(dirname(file), `${m[1]}.ts`));
    }
    const js = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    }).outputText;
    const target = join(out, relative(REPO, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await writeFile(target, js, { mode: 0o644 });
  }
  await writeFile(join(out, 'package.json'), '{"type":"module"}\n', { mode: 0o644 });
  return out;
}
