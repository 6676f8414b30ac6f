/** Worker thread of `createWorkerPackageWriter`: packages one record per request and writes its copies. */
import { parentPort, workerData } from 'node:worker_threads';
import type { LocationConfig } from '../config/schema.js';
import { fromTransferable } from '../sources/transfer.js';
import { createLocations } from '../storage/index.js';
import { serveRequests } from '../worker-pool.js';
import { SPILL_FROM_FILES, spillFiles } from './file-spill.js';
import { traceMemory } from '../memory-debug.js';

const reportMemory = traceMemory('packaging');
import { type TransferableWriteRequest, type WrittenPackage, writePackage } from './package-writer.js';

const locations = createLocations((workerData as { locations: Record<string, LocationConfig> }).locations, {
  blockingIo: true,
});

serveRequests<TransferableWriteRequest, WrittenPackage>(parentPort, async (request, onBytes, signal) => {
  const written = await writePackage(
    locations,
    { ...request, record: fromTransferable(request.record, { sync: true }) },
    onBytes,
    signal,
  );
  // A long file list goes to the main thread on disk, not as a structured clone (twice: the files and the
  // description's): the main thread streams it into the catalog. A short one is cheaper sent as it is.
  const { built } = written;
  if (built.files.length <= SPILL_FROM_FILES) return written;
  const filesSpill = spillFiles(built.files);
  reportMemory();
  return {
    ...written,
    built: {
      ...built,
      files: [],
      filesSpill,
      description: { ...built.description, files: [] },
    },
  };
});
