/**
 * The benchmark corpus: a "folder of records" generated from a seed, so the same parameters give the same
 * bytes on every machine.
 *
 *   <dir>/<record>/<file>        ~20 files per record, sizes uniform in [minBytes, maxBytes], some nested
 *   <dir>/<big record>/<file>    `bigCount` records holding one file of `bigBytes` each
 *   <dir>.json                   manifest: parameters and totals, written last (a corpus without it is partial)
 *
 * Names, sizes and layout come from xoshiro128** seeded with SHA-256(seed). File content is the AES-128-CTR
 * keystream under a key derived from SHA-256(seed, path): deterministic, incompressible, never all zeros, and
 * produced at GB/s with AES-NI, so generating 1.5 GB takes seconds.
 */
import { createCipheriv, createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Bumped when the generator changes, so an old corpus is regenerated instead of reused. */
const GENERATOR_VERSION = 1;
const CHUNK = 4 * 1024 * 1024;
const ZEROS = Buffer.alloc(CHUNK);

const CASE_TYPES = [
  'Bygglov',
  'Försörjningsstöd',
  'Medborgarförslag',
  'Detaljplan',
  'Tillsyn miljö',
  'Skolskjuts',
  'Färdtjänst',
  'Överklagande',
  'Upphandling',
  'Föreningsbidrag',
  'Strandskyddsdispens',
  'Serveringstillstånd',
];
const PLACES = ['Östra Gränd', 'Storgatan', 'Kyrkvägen', 'Åkervägen', 'Älvstranden', 'Björkö', 'Sjöängen'];
const FOLDERS = ['', '', '', 'bilagor', 'bilagor/ritningar', 'korrespondens', 'beslut', 'underlag/mätningar'];
const BASES = [
  'ansökan',
  'beslut',
  'protokoll §12',
  'yttrande',
  'fasadritning söder',
  'situationsplan',
  'kvitto',
  'skrivelse från sökande',
  'tjänsteanteckning',
  'delgivningskvitto',
  'remissvar Länsstyrelsen',
  'mötesanteckningar',
  'fotografi gårdsplan',
  'kartunderlag',
];
const EXTENSIONS = ['.pdf', '.pdf', '.docx', '.png', '.jpg', '.txt', '.xlsx', '.tif'];

/** xoshiro128** over four 32-bit words; `next()` returns a float in [0, 1). */
function createPrng(seed) {
  const h = createHash('sha256').update(`bevara-bench-prng:${seed}`).digest();
  const s = new Uint32Array([h.readUInt32LE(0), h.readUInt32LE(4), h.readUInt32LE(8), h.readUInt32LE(12)]);
  const rotl = (x, k) => (x << k) | (x >>> (32 - k));
  const nextU32 = () => {
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  return {
    next: () => nextU32() / 2 ** 32,
    int: (min, max) => min + Math.floor((nextU32() / 2 ** 32) * (max - min + 1)),
    pick: (list) => list[Math.floor((nextU32() / 2 ** 32) * list.length)],
  };
}

/** Default corpus parameters; `small`, `bigBytes` etc. are overridden from the command line. */
export function corpusParams({
  seed = 'bevara-1',
  small = 10_000,
  perRecord = 20,
  bigCount = 2,
  bigMiB = 210,
}) {
  return {
    generator: GENERATOR_VERSION,
    seed: String(seed),
    small,
    perRecord,
    minBytes: 4 * 1024,
    maxBytes: 200 * 1024,
    bigCount,
    bigBytes: Math.round(bigMiB * 1024 * 1024),
  };
}

/** A folder name that identifies the parameters, so corpora of different sizes can sit side by side. */
export function corpusName(params) {
  const tag = createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 8);
  return `small${params.small}-big${params.bigCount}x${Math.round(params.bigBytes / 2 ** 20)}m-${tag}`;
}

/** Lays out every file (relative path and size) without writing anything. */
export function planCorpus(params) {
  const prng = createPrng(params.seed);
  const files = [];
  const records = Math.ceil(params.small / params.perRecord);
  for (let r = 0; r < records; r++) {
    const year = prng.int(2015, 2025);
    const record = `${year}-${String(r + 1).padStart(4, '0')} ${prng.pick(CASE_TYPES)} ${prng.pick(PLACES)} ${prng.int(1, 40)}`;
    const count = Math.min(params.perRecord, params.small - r * params.perRecord);
    for (let f = 0; f < count; f++) {
      const folder = prng.pick(FOLDERS);
      const name = `${String(f + 1).padStart(2, '0')} ${prng.pick(BASES)}${prng.pick(EXTENSIONS)}`;
      const size = prng.int(params.minBytes, params.maxBytes);
      files.push({ path: join(record, folder, name), size });
    }
  }
  for (let b = 0; b < params.bigCount; b++) {
    const record = `FILM-${b + 1} Kommunfullmäktige sammanträde ${2020 + b}`;
    files.push({ path: join(record, `inspelning möte ${b + 1}.mkv`), size: params.bigBytes });
  }
  return { records: records + params.bigCount, files };
}

/** Writes `size` bytes of keystream to `file`; the key depends on the seed and the path inside the corpus. */
function writeFileContent(file, relativePath, seed, size) {
  const key = createHash('sha256').update(`${seed}\u0000${relativePath}`).digest();
  const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  if (size <= CHUNK) {
    writeFileSync(file, cipher.update(ZEROS.subarray(0, size)));
    return;
  }
  const fd = openSync(file, 'w');
  try {
    for (let done = 0; done < size; ) {
      const n = Math.min(CHUNK, size - done);
      writeSync(fd, cipher.update(ZEROS.subarray(0, n)));
      done += n;
    }
  } finally {
    closeSync(fd);
  }
}

async function measureTree(dir) {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await stat(join(entry.parentPath ?? entry.path, entry.name))).size;
  }
  return { files, bytes };
}

/**
 * Returns the corpus for `params` under `baseDir`, generating it unless a complete one with the same parameters
 * (manifest present, file count and total size on disk as recorded) is already there.
 * @returns {{ dir: string, manifest: object, generated: boolean, seconds: number }}
 */
export async function ensureCorpus(baseDir, params, log = () => {}) {
  const dir = join(baseDir, corpusName(params));
  const manifestPath = `${dir}.json`;
  if (existsSync(manifestPath) && existsSync(dir)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const onDisk = await measureTree(dir);
    if (
      JSON.stringify(manifest.params) === JSON.stringify(params) &&
      onDisk.files === manifest.files &&
      onDisk.bytes === manifest.bytes
    ) {
      return { dir, manifest, generated: false, seconds: 0 };
    }
    log(`corpus in ${dir} does not match its manifest; regenerating`);
  }
  const started = performance.now();
  rmSync(manifestPath, { force: true });
  rmSync(dir, { recursive: true, force: true });
  const plan = planCorpus(params);
  let bytes = 0;
  for (const [i, file] of plan.files.entries()) {
    const full = join(dir, file.path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileContent(full, file.path, params.seed, file.size);
    bytes += file.size;
    if ((i + 1) % 2000 === 0) log(`  ${i + 1}/${plan.files.length} files`);
  }
  const manifest = {
    params,
    records: plan.records,
    files: plan.files.length,
    bytes,
    smallFiles: plan.files.length - params.bigCount,
    generatedAt: new Date().toISOString(),
  };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifest, generated: true, seconds: (performance.now() - started) / 1000 };
}

/** Every file of the corpus as a path relative to `dir`, sorted, for the floor commands. */
export async function listCorpusFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1))
    .sort();
}
