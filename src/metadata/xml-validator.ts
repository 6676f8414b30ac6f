/**
 * Offline XML Schema validation with libxml2 compiled to WebAssembly (xmllint-wasm).
 *
 * Every schema a document needs is read from `schemaDir` and handed to xmllint as an in-memory file whose name
 * equals the schemaLocation it is imported by (mets.xsd imports `http://www.loc.gov/standards/xlink/xlink.xsd`,
 * so the local xlink.xsd is supplied under that name). Nothing is fetched from the network.
 *
 * Cost: xmllint-wasm starts a worker, instantiates the WebAssembly module and compiles the schema on every
 * run: 250-400 ms per run on the reference machine (2 cores), ~150 ms of it fixed, PREMIS compiling slowest.
 * Validating a document against the compiled schema takes a few ms. So requests made while a run is pending
 * or in progress are batched: all documents waiting for the same schema go into one run (20 METS files in one
 * run take about as long as one). Runs are made one at a time per validator.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';
import { errorMessage, NotFoundError, PreservationError } from '../errors.js';

/**
 * Schemas the validator knows. 'mets-csip' is METS plus the CSIP extension, so csip: values are checked too;
 * 'mets-sip' adds the E-ARK SIP extension (sip: attributes) on top of that.
 */
export type XmlSchemaName = 'mets' | 'mets-csip' | 'mets-sip' | 'mets-fgs1' | 'premis' | 'dc' | 'erms';

export interface XmlValidationProblem {
  /** libxml2's message, prefixed with the file name and line: `METS.xml:27: Schemas validity error : ...`. */
  message: string;
  /** 1-based line in the validated document, when libxml2 names one. */
  line?: number;
}

export interface XmlValidationResult {
  valid: boolean;
  /** Empty when valid. */
  problems: XmlValidationProblem[];
}

export interface XmlValidator {
  /**
   * Validates one document against a schema. Resolves with the problems found (an invalid or not well-formed
   * document is a result, not an error); rejects only if the schemas cannot be read or compiled.
   * @param fileName name used in problem messages (default "document.xml").
   */
  validate(xml: string, schema: XmlSchemaName, fileName?: string): Promise<XmlValidationResult>;
}

export interface XmlValidatorOptions {
  /** Folder holding the .xsd files. Default: `profiles/schemas` of this package (works from src/ and dist/). */
  schemaDir?: string;
}

const XLINK_LOCATION = 'http://www.loc.gov/standards/xlink/xlink.xsd';

/** Main schema file and the imports it needs, as [name xmllint looks for, file in schemaDir]. */
const SCHEMA_SETS: Record<XmlSchemaName, { main: string; imports: [string, string][] }> = {
  mets: { main: 'mets.xsd', imports: [[XLINK_LOCATION, 'xlink.xsd']] },
  'mets-csip': {
    main: 'mets-csip.xsd',
    imports: [
      ['mets.xsd', 'mets.xsd'],
      [XLINK_LOCATION, 'xlink.xsd'],
      ['DILCISExtensionMETS.xsd', 'DILCISExtensionMETS.xsd'],
    ],
  },
  'mets-sip': {
    main: 'mets-sip.xsd',
    imports: [
      ['mets.xsd', 'mets.xsd'],
      [XLINK_LOCATION, 'xlink.xsd'],
      ['DILCISExtensionMETS.xsd', 'DILCISExtensionMETS.xsd'],
      ['DILCISExtensionSIPMETS.xsd', 'DILCISExtensionSIPMETS.xsd'],
    ],
  },
  /** FGS Paketstruktur 1.x: METS 1.12 with the `ExtensionMETS` attributes (fgs1-extension.xsd, written for bevara). */
  'mets-fgs1': {
    main: 'mets-fgs1.xsd',
    imports: [
      ['mets.xsd', 'mets.xsd'],
      [XLINK_LOCATION, 'xlink.xsd'],
      ['fgs1-extension.xsd', 'fgs1-extension.xsd'],
    ],
  },
  premis: { main: 'premis-v3-0.xsd', imports: [] },
  /** CITS ERMS 2.1.2 (FGS Ärendehantering): case-management exports. */
  erms: { main: 'ERMS.xsd', imports: [] },
  dc: {
    main: 'oai-dc.xsd',
    imports: [
      ['simple-dc.xsd', 'simple-dc.xsd'],
      ['xml.xsd', 'xml.xsd'],
    ],
  },
};

/** Upper bounds of one xmllint run; more waiting documents go into the next run. */
const MAX_BATCH_DOCUMENTS = 64;
const MAX_BATCH_CHARS = 64 * 1024 * 1024;
/** WebAssembly memory limit in 64 KiB pages (1 GiB): large METS files of big records must fit. */
const MAX_MEMORY_PAGES = 16_384;
/** xmllint exit code when a schema does not compile (a missing import, a broken .xsd). */
const EXIT_SCHEMA_COMPILE = 5;

interface SchemaFile {
  fileName: string;
  contents: string;
}

interface Request {
  xml: string;
  schema: XmlSchemaName;
  displayName: string;
  resolve: (result: XmlValidationResult) => void;
  reject: (err: unknown) => void;
}

function defaultSchemaDir(): string {
  return fileURLToPath(new URL('../../profiles/schemas/', import.meta.url));
}

/** Splits xmllint's stderr into the result for one document named `fsName` in the run. */
function resultFor(raw: string, fsName: string, displayName: string): XmlValidationResult {
  const problems: XmlValidationProblem[] = [];
  let valid = false;
  for (const line of raw.split('\n')) {
    if (line === `${fsName} validates`) valid = true;
    if (!line.startsWith(`${fsName}:`)) continue;
    const match = /^(\d+): ?(.*)$/.exec(line.slice(fsName.length + 1));
    if (match) {
      const lineNo = Number(match[1]);
      problems.push({ message: `${displayName}:${lineNo}: ${match[2]}`, line: lineNo });
    }
  }
  if (!valid && problems.length === 0) {
    const reason = raw.trim().split('\n').slice(0, 5).join(' | ');
    problems.push({ message: `${displayName}: not valid: ${reason || 'xmllint gave no reason'}` });
  }
  return { valid: valid && problems.length === 0, problems };
}

function exitCodeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Creates a validator. Schema files are read on first use and kept; the validator holds no other state. */
export function createXmlValidator(options: XmlValidatorOptions = {}): XmlValidator {
  const schemaDir = options.schemaDir ?? defaultSchemaDir();
  const loaded = new Map<XmlSchemaName, Promise<SchemaFile[]>>();
  const queue: Request[] = [];
  let busy = false;

  async function readSchema(fileName: string, file: string): Promise<SchemaFile> {
    try {
      return { fileName, contents: await readFile(join(schemaDir, file), 'utf8') };
    } catch (err) {
      throw new NotFoundError(`[xml-validator] schema file "${file}" cannot be read from ${schemaDir}`, {
        cause: err,
      });
    }
  }

  function schemaFiles(name: XmlSchemaName): Promise<SchemaFile[]> {
    let files = loaded.get(name);
    if (!files) {
      const set = SCHEMA_SETS[name];
      files = Promise.all([[set.main, set.main] as const, ...set.imports].map(([n, f]) => readSchema(n, f)));
      files.catch(() => loaded.delete(name));
      loaded.set(name, files);
    }
    return files;
  }

  function takeBatch(): Request[] {
    const schema = queue[0]?.schema;
    const batch: Request[] = [];
    let chars = 0;
    for (let i = 0; i < queue.length && batch.length < MAX_BATCH_DOCUMENTS; ) {
      const req = queue[i] as Request;
      if (req.schema !== schema || (batch.length > 0 && chars + req.xml.length > MAX_BATCH_CHARS)) {
        i++;
        continue;
      }
      chars += req.xml.length;
      batch.push(req);
      queue.splice(i, 1);
    }
    return batch;
  }

  async function run(batch: Request[]): Promise<void> {
    const schema = (batch[0] as Request).schema;
    const names = batch.map((_, i) => `document-${i + 1}.xml`);
    let raw: string;
    try {
      const [main, ...imports] = await schemaFiles(schema);
      try {
        const result = await validateXML({
          xml: batch.map((req, i) => ({ fileName: names[i] as string, contents: req.xml })),
          schema: [main as SchemaFile],
          preload: imports,
          maxMemoryPages: MAX_MEMORY_PAGES,
        });
        raw = result.rawOutput;
      } catch (err) {
        // xmllint-wasm rejects on exit codes other than 0/3/4; a document that is not well-formed can cause
        // one of those, and its stderr still says what happened to each document.
        const code = exitCodeOf(err);
        if (code === undefined || code === EXIT_SCHEMA_COMPILE || !(err instanceof Error)) throw err;
        raw = err.message;
      }
    } catch (err) {
      const failure =
        err instanceof PreservationError
          ? err
          : new PreservationError(
              `[xml-validator] schema "${schema}" could not be used: ${errorMessage(err).split('\n').slice(0, 5).join(' | ')}`,
              { cause: err },
            );
      for (const req of batch) req.reject(failure);
      return;
    }
    batch.forEach((req, i) => {
      req.resolve(resultFor(raw, names[i] as string, req.displayName));
    });
  }

  async function drain(): Promise<void> {
    busy = true;
    try {
      while (queue.length > 0) await run(takeBatch());
    } finally {
      busy = false;
    }
  }

  return {
    validate(xml, schema, fileName = 'document.xml') {
      if (!Object.hasOwn(SCHEMA_SETS, schema)) {
        return Promise.reject(new PreservationError(`[xml-validator] unknown schema "${String(schema)}"`));
      }
      return new Promise<XmlValidationResult>((resolve, reject) => {
        queue.push({ xml, schema, displayName: fileName, resolve, reject });
        // Start on the next turn of the event loop so that requests made together share one run.
        if (!busy) {
          busy = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}
