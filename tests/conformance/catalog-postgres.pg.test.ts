/**
 * The catalog contract on a real PostgreSQL (the project's test cluster, or BEVARA_TEST_POSTGRES_URL), and what
 * only PostgreSQL has: several pools (workers) on one database at once, and connection failures.
 * This file works in its own database, created with Swedish ICU collation; each test in its own schema.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { CatalogError } from '../../src/catalog/errors.js';
import { latestSchemaVersion, MIGRATIONS } from '../../src/catalog/migrations.js';
import { createPostgresCatalog, type PostgresCatalogOptions } from '../../src/catalog/postgres.js';
import type { Catalog, RunItem } from '../../src/catalog/types.js';
import { makeCopy, makePackage } from '../unit/catalog/fixtures.js';
import { catalogContract } from './catalog-suite.js';

const serverUrl = inject('postgres');
const database = `bevara_test_${randomBytes(6).toString('hex')}`;
let admin: pg.Pool;
let db: pg.Pool;

function urlOf(name: string, schema?: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  if (schema) url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

beforeAll(async () => {
  admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
  await admin.query(
    `CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'
     LOCALE_PROVIDER icu ICU_LOCALE 'sv-SE'`,
  );
  db = new pg.Pool({ connectionString: urlOf(database), max: 2 });
  // `end()` resolves while a connection may still be closing; DROP DATABASE … WITH (FORCE) then terminates it,
  // and its error would reach the pool with no listener (an uncaught exception after every test passed).
  for (const pool of [admin, db]) pool.on('error', () => {});
});

afterAll(async () => {
  await db?.end();
  await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin?.end();
});

/** A fresh schema of this file's database, and catalogs on it that `cleanup` closes before dropping it. */
async function freshSchema() {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await db.query(`CREATE SCHEMA ${schema}`);
  const url = urlOf(database, schema);
  const opened: Catalog[] = [];
  return {
    schema,
    url,
    open(options: Partial<PostgresCatalogOptions> = {}): Catalog {
      const catalog = createPostgresCatalog({ url, poolSize: 4, ...options });
      opened.push(catalog);
      return catalog;
    },
    async cleanup() {
      for (const catalog of opened) await catalog.close();
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
    },
  };
}

catalogContract('postgres', async () => {
  const schema = await freshSchema();
  return {
    catalog: schema.open(),
    async reopen() {
      const other = schema.open();
      await other.migrate();
      return other;
    },
    cleanup: schema.cleanup,
  };
});

describe('postgres catalog: several workers on one database', () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  afterEach(async () => schema.cleanup());

  it('applies each migration once when four catalogs migrate at the same time', async () => {
    schema = await freshSchema();
    const catalogs = Array.from({ length: 4 }, () => schema.open());
    await Promise.all(catalogs.map((c) => c.migrate()));
    const { rows } = await db.query(
      `SELECT version, name FROM ${schema.schema}.schema_migrations ORDER BY version`,
    );
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    await catalogs[3]?.addPackage(makePackage('p1'), [], []);
    expect(await catalogs[0]?.getPackage('p1')).toEqual(makePackage('p1'));
  });

  it('gives a lease to exactly one of 20 concurrent takers, when free and when expired', async () => {
    schema = await freshSchema();
    const catalogs = Array.from({ length: 4 }, () => schema.open({ poolSize: 5 }));
    await catalogs[0]?.migrate();
    const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 2, minute));
    for (let round = 0; round < 5; round++) {
      // Round 0: no lease yet. Later rounds: the previous lease expires exactly at `now`.
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          catalogs[i % 4]?.acquireLease('granskning', `worker-${round}-${i}`, at(round + 1), at(round)),
        ),
      );
      const winners = results.flatMap((won, i) => (won ? [`worker-${round}-${i}`] : []));
      expect(winners).toHaveLength(1);
      const { rows } = await db.query(`SELECT holder, expires_at FROM ${schema.schema}.leases`);
      expect(rows).toEqual([{ holder: winners[0], expires_at: at(round + 1).toISOString() }]);
    }
  });

  it('lets exactly one of 20 concurrent workers claim a record, and one take it over after its lease', async () => {
    schema = await freshSchema();
    const catalogs = Array.from({ length: 4 }, () => schema.open({ poolSize: 5 }));
    await catalogs[0]?.migrate();
    await catalogs[0]?.discoverRecords('nattlig', 'run-1', [{ sourceKey: 'Ärende 7' }], new Date(0));
    const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 2, minute));
    for (let round = 0; round < 3; round++) {
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          catalogs[i % 4]?.claimRecord('nattlig', 'Ärende 7', `w-${round}-${i}`, at(round + 1), at(round)),
        ),
      );
      const taken = claims.filter((c) => c !== null);
      expect(taken).toHaveLength(1);
      expect(taken[0]).toMatchObject({ attempts: round + 1, leaseUntil: at(round + 1) });
    }
  });

  it('numbers run items without gaps when two pools append to one run at once', async () => {
    schema = await freshSchema();
    const [a, b] = [schema.open({ poolSize: 5 }), schema.open({ poolSize: 5 })];
    await a.migrate();
    await a.startRun({ id: 'r1', kind: 'audit', startedAt: new Date(), status: 'running', params: {} });
    const batch = (writer: string, call: number): RunItem[] =>
      Array.from({ length: 4 }, (_, i) => ({ runId: 'r1', subject: `${writer}/${call}/${i}`, status: 'ok' }));
    await Promise.all(
      Array.from({ length: 30 }, (_, call) => [
        a.addRunItems(batch('a', call)),
        b.addRunItems(batch('b', call)),
      ]).flat(),
    );
    const { rows } = await db.query(`SELECT seq, subject FROM ${schema.schema}.run_items ORDER BY seq`);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
    // The items of one call are consecutive and in the order given.
    for (let start = 0; start < rows.length; start += 4) {
      const call = (rows[start].subject as string).replace(/\/0$/, '');
      expect(rows.slice(start, start + 4).map((r) => r.subject)).toEqual(
        [0, 1, 2, 3].map((i) => `${call}/${i}`),
      );
    }
    expect(await b.listRunItems('r1')).toHaveLength(240);
  });
});

describe('postgres catalog: schema and values', () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  afterEach(async () => schema.cleanup());

  it('keeps a failed migration from recording and refuses a newer schema', async () => {
    schema = await freshSchema();
    const applied = new Date('2026-03-01T10:00:00.000Z');
    const broken = [
      { version: 1, name: 'first', up: 'CREATE TABLE first_table (id TEXT PRIMARY KEY)' },
      { version: 2, name: 'broken', up: 'CREATE TABLE second_table (id TEXT); SELECT * FROM saknas' },
    ];
    const failing = schema.open({ migrations: broken, now: () => applied });
    await expect(failing.migrate()).rejects.toThrow(
      /migration 2 "broken" failed on "postgres:\/\/.*:\*\*\*@/,
    );
    const { rows } = await db.query(`SELECT * FROM ${schema.schema}.schema_migrations`);
    expect(rows).toEqual([{ version: 1, name: 'first', applied_at: applied.toISOString() }]);
    const tables = await db.query(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema.schema],
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(['first_table', 'schema_migrations']);
    await db.query(`INSERT INTO ${schema.schema}.schema_migrations VALUES (99, 'future', 'x')`);
    const error = await schema
      .open()
      .migrate()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as CatalogError).message).toMatch(
      new RegExp(`schema version 99, newer than the ${latestSchemaVersion()} this version`),
    );
  });

  it('creates sizes as BIGINT and refuses to read one above 2^53', async () => {
    schema = await freshSchema();
    const catalog = schema.open();
    await catalog.migrate();
    const types = await db.query(
      `SELECT table_name, data_type FROM information_schema.columns
       WHERE table_schema = $1 AND column_name = 'size' ORDER BY table_name`,
      [schema.schema],
    );
    expect(types.rows.map((r) => `${r.table_name}:${r.data_type}`)).toEqual([
      'copies:bigint',
      'files:bigint',
      'packages:bigint',
    ]);
    await catalog.addPackage(makePackage('p1'), [], [], [makeCopy('p1', 'primary', { size: 2 ** 53 })]);
    await db.query(`UPDATE ${schema.schema}.copies SET size = size + 1`);
    await expect(catalog.listCopies()).rejects.toThrow(/9007199254740993 is not an integer from 0 to 2\^53/);
    await expect(catalog.copyCoverage('primary', new Date())).rejects.toThrow(CatalogError);
  });

  it('reports what PostgreSQL refuses and SQLite takes: NUL in text, file counts past 2^31 - 1', async () => {
    schema = await freshSchema();
    const catalog = schema.open();
    await catalog.migrate();
    await expect(catalog.addPackage(makePackage('p1', { label: 'a\u0000b' }), [], [])).rejects.toThrow(
      CatalogError,
    );
    await expect(catalog.addPackage(makePackage('p1', { fileCount: 2 ** 31 }), [], [])).rejects.toThrow(
      /cannot add package "p1": .*out of range/,
    );
    expect(await catalog.getPackage('p1')).toBeNull();
  });

  it('asks for migrate() on a database without tables', async () => {
    schema = await freshSchema();
    await expect(schema.open().getPackage('p1')).rejects.toThrow(
      /cannot get package "p1": .*call migrate\(\) first/,
    );
  });
});

describe('postgres catalog: connection failures never show the password', () => {
  const password = 'hemligt Lösen/42';
  const encoded = encodeURIComponent(password);
  const leaks = (error: unknown) => {
    const texts = [String(error), (error as Error).stack ?? '', JSON.stringify(error)];
    for (let cause = (error as Error).cause; cause; cause = (cause as Error).cause) {
      texts.push(String(cause), (cause as Error).stack ?? '', JSON.stringify(cause));
    }
    return texts.filter((t) => t.includes(password) || t.includes(encoded) || t.includes('Lösen'));
  };

  async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));
    return typeof address === 'object' && address ? address.port : 0;
  }

  it('refused connection: a retryable CatalogError naming the masked URL', async () => {
    const port = await freePort();
    const catalog = createPostgresCatalog({ url: `postgres://bevara:${encoded}@127.0.0.1:${port}/bevara` });
    try {
      const error = await catalog.getPackage('p1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CatalogError);
      expect((error as CatalogError).unrecoverable).toBe(false);
      expect((error as Error).message).toBe(
        `[catalog:postgres] cannot get package "p1": cannot connect to postgres://bevara:***@127.0.0.1:${port}/bevara: connect ECONNREFUSED 127.0.0.1:${port}`,
      );
      expect(leaks(error)).toEqual([]);
    } finally {
      await catalog.close();
    }
  });

  it('wrong password: an unrecoverable CatalogError without the password', async () => {
    const url = new URL(serverUrl);
    url.password = encoded;
    url.searchParams.set('application_name', 'x');
    const catalog = createPostgresCatalog({ url: url.toString() });
    try {
      const error = await catalog.migrate().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CatalogError);
      expect((error as CatalogError).unrecoverable).toBe(true);
      expect((error as Error).message).toMatch(
        /cannot migrate: cannot connect to postgres:\/\/bevara:\*\*\*@.*password authentication failed/,
      );
      expect(leaks(error)).toEqual([]);
    } finally {
      await catalog.close();
    }
  });

  it('refuses bad options at once, masking the password of an unparsable URL', () => {
    const bad = (options: PostgresCatalogOptions) => {
      try {
        createPostgresCatalog(options);
      } catch (error) {
        expect(error).toBeInstanceOf(CatalogError);
        expect(leaks(error)).toEqual([]);
        return (error as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(bad({ url: `postgres://bevara:${password}@[::1` })).toMatch(
      /postgres:\/\/bevara:\*\*\*@\[::1" is not a valid URL/,
    );
    expect(bad({ url: `mysql://bevara:${encoded}@localhost/db` })).toMatch(
      /mysql:\/\/bevara:\*\*\*@localhost\/db/,
    );
    expect(bad({ url: `postgres://localhost/db?password=${encoded}&x=1`, poolSize: 0 })).toMatch(/poolSize/);
  });
});
