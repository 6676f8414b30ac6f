#!/usr/bin/env node
// `npm run demo`: the main job on the embedded defaults. Ingests the fixture records into ./bevara-data,
// audits every copy, and says where the packages and the reports are. Safe to run again: unchanged records
// are recognised and nothing new is written.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'dist', 'cli', 'main.js');
if (!existsSync(bin)) {
  console.error('dist/ is missing: run `npm ci` (it builds) or `npm run build` first.');
  process.exit(2);
}
const dataDir = process.env.BEVARA_DATA_DIR ?? path.join(root, 'bevara-data');
const step = (title, args) => {
  process.stdout.write(`\n$ bevara ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, [bin, ...args], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, BEVARA_DATA_DIR: dataDir },
  });
  if (result.status !== 0) {
    console.error(`\n${title} did not succeed (exit ${result.status}); see the messages above.`);
    process.exit(result.status ?? 1);
  }
};

step('ingest', ['ingest', 'fixtures/records']);
step('list', ['ls']);
step('audit', ['audit']);
console.log(`\nDone. Packages: ${path.join(dataDir, 'store', 'local', 'packages')}`);
console.log(
  `Catalog: ${path.join(dataDir, 'catalog.sqlite')}   Reports (JSON + HTML): ${path.join(dataDir, 'reports')}`,
);
console.log('Try: npx bevara show <id>   npx bevara get <id> --out restored/   npx bevara reports list');
