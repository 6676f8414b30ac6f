/**
 * Versioned catalog schema, kept as SQL strings so it ships inside `dist/` without copying files.
 *
 * The SQL is written to run unchanged on SQLite and PostgreSQL: TEXT ids, ISO 8601 UTC timestamps as TEXT
 * (`Date.toISOString()`, so text order is time order), BIGINT sizes (64-bit on both; SQLite gives any
 * type containing "INT" integer affinity), JSON documents in TEXT columns, no engine-specific types or
 * clauses. Enumerations (states, statuses) are not CHECK-constrained so that later migrations can add
 * values without rebuilding tables; the TypeScript types constrain them.
 *
 * Indexes that only one engine has (SQLite FTS5, PostgreSQL pg_trgm) make the one exception: such a migration gives
 * its `up` per engine, and both must leave the tables (not the indexes) the same.
 *
 * Rules: never edit a migration that has shipped; add a new one with the next version.
 */

/** One step of the schema. `up` may hold several statements separated by semicolons. */
export interface Migration {
  /** Strictly increasing, starting at 1, without gaps. */
  version: number;
  /** Short kebab-case description, recorded in `schema_migrations`. */
  name: string;
  /** DDL applied inside one transaction: the same on both engines, or per engine (indexes only). */
  up: string | Readonly<Record<'sqlite' | 'postgres', string>>;
}

const INITIAL_SCHEMA = `
CREATE TABLE packages (
  id TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  profile TEXT NOT NULL,
  source_kind TEXT NOT NULL,
  source_key TEXT NOT NULL,
  content_digest TEXT NOT NULL,
  size BIGINT NOT NULL CHECK (size >= 0),
  sha256 TEXT NOT NULL,
  file_count INTEGER NOT NULL CHECK (file_count >= 0),
  state TEXT NOT NULL,
  created_at TEXT NOT NULL,
  archived_at TEXT,
  predecessor_id TEXT REFERENCES packages (id),
  metadata_json TEXT NOT NULL
);
CREATE INDEX packages_source_idx ON packages (source_kind, source_key, created_at);
CREATE INDEX packages_created_idx ON packages (created_at);
CREATE INDEX packages_predecessor_idx ON packages (predecessor_id);

CREATE TABLE files (
  package_id TEXT NOT NULL REFERENCES packages (id),
  path TEXT NOT NULL,
  entry_path TEXT NOT NULL,
  size BIGINT NOT NULL CHECK (size >= 0),
  sha256 TEXT NOT NULL,
  mime_type TEXT NOT NULL,
  modified_at TEXT NOT NULL,
  PRIMARY KEY (package_id, path)
);

CREATE TABLE copies (
  package_id TEXT NOT NULL REFERENCES packages (id),
  location TEXT NOT NULL,
  key TEXT NOT NULL,
  size BIGINT NOT NULL CHECK (size >= 0),
  sha256 TEXT NOT NULL,
  version_id TEXT,
  stored_at TEXT NOT NULL,
  status TEXT NOT NULL,
  last_verified_at TEXT,
  last_checked_at TEXT,
  PRIMARY KEY (package_id, location)
);
CREATE INDEX copies_location_idx ON copies (location, last_verified_at);

CREATE TABLE events (
  id TEXT PRIMARY KEY,
  package_id TEXT NOT NULL REFERENCES packages (id),
  type TEXT NOT NULL,
  at TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
  detail TEXT NOT NULL,
  agent TEXT NOT NULL,
  object TEXT,
  run_id TEXT
);
CREATE INDEX events_package_idx ON events (package_id, at);

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,
  params_json TEXT NOT NULL,
  summary_json TEXT,
  reports_json TEXT
);
CREATE INDEX runs_started_idx ON runs (started_at);
CREATE INDEX runs_kind_started_idx ON runs (kind, started_at);

CREATE TABLE run_items (
  run_id TEXT NOT NULL REFERENCES runs (id),
  seq INTEGER NOT NULL,
  subject TEXT NOT NULL,
  package_id TEXT,
  status TEXT NOT NULL,
  message TEXT,
  details_json TEXT,
  PRIMARY KEY (run_id, seq)
);
`;

/**
 * Objects the archive stores beside packages (PREMIS event logs, reports, damaged copies kept under Object Lock),
 * so that the orphan listing knows them; leases, so that a run fires once across workers and runs never overlap;
 * markers, small named values such as when a location was last listed for orphans.
 */
const AUDIT_PLANNING = `
CREATE TABLE stored_objects (
  location TEXT NOT NULL,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  package_id TEXT REFERENCES packages (id),
  stored_at TEXT NOT NULL,
  PRIMARY KEY (location, key)
);
CREATE INDEX stored_objects_package_idx ON stored_objects (package_id);

CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

CREATE TABLE markers (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`;

/**
 * Ingest jobs (the definition as JSON, so that new options need no migration) and the state of each record a
 * job found, one row per job and source key, moved on step by step with compare-and-set updates by the worker
 * holding the row's lease.
 */
const JOBS = `
CREATE TABLE jobs (
  name TEXT PRIMARY KEY,
  definition_json TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  origin TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE job_records (
  job TEXT NOT NULL,
  source_key TEXT NOT NULL,
  run_id TEXT NOT NULL,
  state TEXT NOT NULL,
  package_id TEXT,
  holder TEXT,
  lease_until TEXT,
  attempts INTEGER NOT NULL,
  reason TEXT,
  discovered_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (job, source_key)
);
CREATE INDEX job_records_run_idx ON job_records (run_id, state);
`;

/**
 * The web console: local accounts (argon2id hashes) and sessions (the SHA-256 of each session id, never the id),
 * and indexes for package search by digest, format and in keyset order.
 */
const CONSOLE = `
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL REFERENCES users (name),
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_name);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE INDEX files_sha256_idx ON files (sha256);
CREATE INDEX files_puid_idx ON files (format_puid);
CREATE INDEX packages_sha256_idx ON packages (sha256);
CREATE INDEX packages_keyset_idx ON packages (created_at, id);
`;

/**
 * Package search on large catalogs (console-sql.ts `searchSql`): the record's dates as the search compares them,
 * and the substring searches of label, identifier, creator and file path. The expressions indexed here must stay
 * those the search writes (`dateStart`/`dateEnd`, `SqlDialect.jsonText` and `fold`).
 */
const SEARCH_DATES = (json: (path: string) => string) => `
CREATE INDEX packages_date_start_idx ON packages
  ((SUBSTR(COALESCE(${json('dates.start')}, ${json('dates.created')}, ${json('dates.end')}), 1, 10)));
CREATE INDEX packages_date_end_idx ON packages
  ((SUBSTR(COALESCE(${json('dates.end')}, ${json('dates.created')}, ${json('dates.start')}), 1, 10)));
`;

/**
 * SQLite: FTS5 trigram tables holding the folded text (`bevara_fold`, the JavaScript fold every connection of
 * bevara registers), filled from the rows there and kept by triggers; packages and files are never changed or
 * removed once catalogued (only a package's state), so inserts are all the triggers see. The search asks them
 * first (`SqlDialect.containing`), then tests the exact LIKE.
 */
const SEARCH_SQLITE = `${SEARCH_DATES((path) => `json_extract(metadata_json, '$.${path}')`)}
CREATE VIRTUAL TABLE package_text USING fts5 (id UNINDEXED, text, tokenize = 'trigram case_sensitive 1');
CREATE TRIGGER package_text_insert AFTER INSERT ON packages BEGIN
  INSERT INTO package_text (id, text) VALUES (new.id, bevara_fold(new.label) || char(10) ||
    COALESCE(bevara_fold(json_extract(new.metadata_json, '$.identifier')), '') || char(10) ||
    COALESCE(bevara_fold(json_extract(new.metadata_json, '$.creator')), ''));
END;
INSERT INTO package_text (id, text) SELECT id, bevara_fold(label) || char(10) ||
  COALESCE(bevara_fold(json_extract(metadata_json, '$.identifier')), '') || char(10) ||
  COALESCE(bevara_fold(json_extract(metadata_json, '$.creator')), '') FROM packages;
CREATE VIRTUAL TABLE file_text USING fts5 (package_id UNINDEXED, path, tokenize = 'trigram case_sensitive 1');
CREATE TRIGGER file_text_insert AFTER INSERT ON files BEGIN
  INSERT INTO file_text (package_id, path) VALUES (new.package_id, bevara_fold(new.path));
END;
INSERT INTO file_text (package_id, path) SELECT package_id, bevara_fold(path) FROM files;
`;

/**
 * PostgreSQL: trigram GIN indexes on the folded expressions, which serve `lower(…) LIKE '%…%'` as written. pg_trgm
 * ships with PostgreSQL and is a trusted extension (the database owner may create it); where it cannot be created
 * the search still works, by reading every row, and the migration says so in a NOTICE. ANALYZE at the end: the
 * planner knows an expression's values only from statistics, which autovacuum would gather on a large catalog only
 * after a tenth of it changed; without them it walks every package for a rare word (seconds at a million).
 */
const SEARCH_POSTGRES = `${SEARCH_DATES((path) => `(CAST(metadata_json AS json) #>> '{${path.replaceAll('.', ',')}}')`)}
DO $$
DECLARE
  trgm text;
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'bevara: cannot create the extension pg_trgm (%): package search reads every row', SQLERRM;
  END;
  SELECT quote_ident(extnamespace::regnamespace::text) INTO trgm FROM pg_extension WHERE extname = 'pg_trgm';
  IF trgm IS NOT NULL THEN
    EXECUTE format('CREATE INDEX packages_label_trgm_idx ON packages USING gin (lower(label) %s.gin_trgm_ops)', trgm);
    EXECUTE format('CREATE INDEX packages_identifier_trgm_idx ON packages USING gin '
      '(lower((CAST(metadata_json AS json) #>> ''{identifier}'')) %s.gin_trgm_ops)', trgm);
    EXECUTE format('CREATE INDEX packages_creator_trgm_idx ON packages USING gin '
      '(lower((CAST(metadata_json AS json) #>> ''{creator}'')) %s.gin_trgm_ops)', trgm);
    EXECUTE format('CREATE INDEX files_path_trgm_idx ON files USING gin (lower(path) %s.gin_trgm_ops)', trgm);
  END IF;
END $$;
ANALYZE packages;
ANALYZE files;
`;

/**
 * Appraisal and disposal (src/disposal/): legal holds (on a package or a query), disposal proposals and their
 * items (planned by one person, approved by another), and tombstones of disposed packages. A disposed package
 * keeps its row (state `disposed`), files and events; its copies and stored objects are gone.
 */
const DISPOSAL = `
CREATE TABLE holds (
  id TEXT PRIMARY KEY,
  package_id TEXT REFERENCES packages (id),
  query_json TEXT,
  reason TEXT NOT NULL,
  placed_by TEXT NOT NULL,
  placed_at TEXT NOT NULL,
  released_by TEXT,
  released_at TEXT,
  release_reason TEXT
);
CREATE INDEX holds_package_idx ON holds (package_id);

CREATE TABLE disposal_proposals (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  planned_by TEXT NOT NULL,
  planned_at TEXT NOT NULL,
  approved_by TEXT,
  approved_at TEXT,
  completed_at TEXT
);

CREATE TABLE disposal_items (
  proposal_id TEXT NOT NULL REFERENCES disposal_proposals (id),
  package_id TEXT NOT NULL REFERENCES packages (id),
  rule_id TEXT NOT NULL,
  action TEXT NOT NULL,
  due_at TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL,
  detail TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (proposal_id, package_id)
);
CREATE INDEX disposal_items_package_idx ON disposal_items (package_id);

CREATE TABLE tombstones (
  package_id TEXT PRIMARY KEY REFERENCES packages (id),
  proposal_id TEXT NOT NULL REFERENCES disposal_proposals (id),
  rule_id TEXT NOT NULL,
  tombstone_json TEXT NOT NULL,
  disposed_at TEXT NOT NULL
);
CREATE INDEX tombstones_proposal_idx ON tombstones (proposal_id);
`;

/**
 * Audit planning and ingest on large catalogs. The planner's order of copies (`COPIES_BY_AGE` in sql-audit.ts: per
 * location, oldest good verification or storage first, then package id in byte order) as an index, so that each
 * page it reads is a range of the index instead of a sort of every copy of the location (with the size and last
 * verification, the columns coverage counts, so that coverage reads the index alone); and packages by state,
 * newest first (the order of `listPackages`), so that the test "not being disposed of" (`NOT_DISPOSING`) reads the
 * few packages in that state and each ingest run finds the packages waiting for copies (state `stored`) without
 * reading every package. Without them, at a million packages, a nightly plan took 50–80 s and each ingest run and
 * coverage read the whole packages table. The index expression must stay the one `COPIES_BY_AGE` orders by;
 * PostgreSQL gets the package id in "C" order as the queries ask (SQLite's default collation is byte order), and
 * the packages' tie-break of `listPackages` (`SqlDialect.insertionOrder`: SQLite's rowid is in every index).
 */
const GROWTH_INDEXES = (byteOrder: string, newestFirst: string) => `
CREATE INDEX copies_age_idx ON copies
  (location, (COALESCE(last_verified_at, stored_at)), package_id${byteOrder}, size, last_verified_at);
CREATE INDEX packages_state_idx ON packages (state, ${newestFirst});
`;

/**
 * SQLite's file-name index (migration 6) kept each name with no link back to its file row, so a deleted file row
 * (a disposed package's file list) left its name in the index, and finding it meant reading the whole index. Each
 * index row now has its file row's rowid, and deleting a file row deletes its index row (the package id is
 * checked too, so a rowid that VACUUM renumbered can only leave a row behind, never delete another's). PostgreSQL's
 * trigram indexes are on the files table itself: nothing to do there.
 */
const FILE_TEXT_BY_ROWID = `
DROP TRIGGER file_text_insert;
DELETE FROM file_text;
INSERT INTO file_text (rowid, package_id, path) SELECT rowid, package_id, bevara_fold(path) FROM files;
CREATE TRIGGER file_text_insert AFTER INSERT ON files BEGIN
  INSERT INTO file_text (rowid, package_id, path) VALUES (new.rowid, new.package_id, bevara_fold(new.path));
END;
CREATE TRIGGER file_text_delete AFTER DELETE ON files BEGIN
  DELETE FROM file_text WHERE rowid = old.rowid AND package_id = old.package_id;
END;
`;

/** Every migration this code knows, in order. The last version is the schema version the code expects. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial-schema', up: INITIAL_SCHEMA },
  {
    version: 2,
    name: 'file-formats',
    up: `ALTER TABLE files ADD COLUMN format_puid TEXT;
ALTER TABLE files ADD COLUMN format_name TEXT;
ALTER TABLE files ADD COLUMN format_version TEXT;
ALTER TABLE files ADD COLUMN format_basis TEXT`,
  },
  { version: 3, name: 'audit-planning', up: AUDIT_PLANNING },
  { version: 4, name: 'jobs-and-record-states', up: JOBS },
  { version: 5, name: 'console', up: CONSOLE },
  { version: 6, name: 'search-indexes', up: { sqlite: SEARCH_SQLITE, postgres: SEARCH_POSTGRES } },
  { version: 7, name: 'disposal', up: DISPOSAL },
  {
    version: 8,
    name: 'growth-indexes',
    up: {
      sqlite: GROWTH_INDEXES('', 'created_at'),
      postgres: GROWTH_INDEXES(' COLLATE "C"', 'created_at, id COLLATE "C"'),
    },
  },
  { version: 9, name: 'forgettable-file-names', up: { sqlite: FILE_TEXT_BY_ROWID, postgres: 'SELECT 1' } },
];

/** DDL of the bookkeeping table, created before any migration runs. Portable like the migrations. */
export const SCHEMA_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/** The schema version this code expects: the version of the last migration. */
export function latestSchemaVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.at(-1)?.version ?? 0;
}
