/** Worker thread of `createWorkerVerifier`: verifies one copy per request. */
import { parentPort, workerData } from 'node:worker_threads';
import type { LocationConfig } from '../config/schema.js';
import { createLocations } from '../storage/index.js';
import { serveRequests } from '../worker-pool.js';
import type { VerifyRequest } from './verifier.js';
import { type CopyCheck, verifyCopy } from './verify-copy.js';
import { traceMemory } from '../memory-debug.js';

const reportMemory = traceMemory('verifying');

const locations = createLocations((workerData as { locations: Record<string, LocationConfig> }).locations, {
  blockingIo: true,
});

serveRequests<VerifyRequest, CopyCheck>(parentPort, async ({ copy, files, options }, onBytes) => {
  const location = locations.get(copy.location);
  if (!location) throw new Error(`location "${copy.location}" is not configured`);
  const check = await verifyCopy(location, copy, files, onBytes, options);
  reportMemory();
  return check;
});
