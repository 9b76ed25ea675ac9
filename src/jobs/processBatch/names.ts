/** Function names of the finite sample job, shared by the registrations and the orchestrator. */
export const PROCESS_BATCH = 'processBatch';
export const PROCESS_BATCH_CHUNK = 'processBatchChunk';
