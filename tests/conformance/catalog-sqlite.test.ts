import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteCatalog } from '../../src/catalog/sqlite.js';
import type { Catalog } from '../../src/catalog/types.js';
import { catalogContract } from './catalog-suite.js';

catalogContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bevara-catalog-contract-'));
  const path = join(dir, 'catalog.sqlite');
  const opened: Catalog[] = [createSqliteCatalog({ path })];
  return {
    catalog: opened[0] as Catalog,
    async reopen() {
      const other = createSqliteCatalog({ path });
      opened.push(other);
      await other.migrate();
      return other;
    },
    async cleanup() {
      for (const c of opened) await c.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
