/** Worker thread of `createWorkerPackageWriter`: packages one record per request and writes its copies. */
import { parentPort, workerData } from 'node:worker_threads';
import type { LocationConfig } from '../config/schema.js';
import { fromTransferable } from '../sources/transfer.js';
import { createLocations } from '../storage/index.js';
import { serveRequests } from '../worker-pool.js';
import { type TransferableWriteRequest, type WrittenPackage, writePackage } from './package-writer.js';

const locations = createLocations((workerData as { locations: Record<string, LocationConfig> }).locations, {
  blockingIo: true,
});

serveRequests<TransferableWriteRequest, WrittenPackage>(parentPort, (request, onBytes, signal) =>
  writePackage(
    locations,
    { ...request, record: fromTransferable(request.record, { sync: true }) },
    onBytes,
    signal,
  ),
);
