/** Function names of the finite sample job, shared by the registrations and the orchestrator. */
export const PROCESS_BATCH = 'processBatch';
export const PROCESS_BATCH_CHUNK = 'processBatchChunk';
/** Raising this stops the batch from scheduling more chunks; it ends with a summary that says so. */
export const CANCEL_EVENT = 'cancel';
