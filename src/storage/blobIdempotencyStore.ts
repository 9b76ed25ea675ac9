/**
 * Idempotency records as JSON blobs in the lock's container (the app's own storage account, with
 * the permissions the lock already has): `idempotency/<task hub>/<sha256(key)>`. A create is an
 * upload with If-None-Match: *, every change an upload or delete with If-Match: <ETag>, so storage
 * itself decides which of any number of app instances wins a key. The container's lifecycle
 * rule deletes records (and stale lock blobs) a day past the TTL.
 */
import { createHash } from 'node:crypto';
import type { BlobServiceClient, BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import type { IdempotencyStore, KeyScope, RecordVersion } from '../idempotency/ports';
import type { InstanceRecords } from '../operations/ports';
import type { CompletedRecord, IdempotencyRecord } from '../idempotency/record';
import { dependencyFailure } from '../dependencies/failure';
import { isRuntimeStatus } from '../singleton/statuses';
import { storageError, storageFailure } from './storageFailure';
import { containerOnce, type ContainerOnce } from './containerOnce';

/** Where records live in the container, apart from the lock blobs. */
export const RECORD_PREFIX = 'idempotency/';

export function recordBlobName({ taskHub, key }: KeyScope): string {
  // Keys are case-sensitive and may hold `/`: a hash keeps them apart and within the name limit.
  const digest = createHash('sha256').update(key, 'utf8').digest('hex');
  return `${RECORD_PREFIX}${taskHub.toLowerCase()}/${digest}`;
}

function statusOf(error: unknown): number | undefined {
  return storageError(error).statusCode;
}

function isRecord(value: unknown): value is IdempotencyRecord {
  const v = value as Partial<IdempotencyRecord> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    (v.state === 'pending' || v.state === 'completed') &&
    typeof v.fingerprint === 'object' &&
    typeof v.claimedAt === 'string' &&
    (v.state === 'pending' || typeof (v as Partial<CompletedRecord>).outcome === 'object')
  );
}

/**
 * Records completed before outcomes were recorded held the HTTP answer instead (status, headers,
 * body): its status says the outcome, and the links are built anew as for any replay. Kept until
 * such records have expired everywhere (the TTL, 30 days at most).
 */
function fromEarlierVersion(value: unknown): unknown {
  const v = value as {
    state?: unknown;
    outcome?: unknown;
    answer?: { status?: unknown; body?: unknown };
    run?: { instanceId?: unknown };
  } | null;
  if (v?.state !== 'completed' || v.outcome !== undefined || typeof v.answer !== 'object') {
    return value;
  }
  const { answer, run, ...rest } = v;
  const instanceId = run?.instanceId;
  if (typeof instanceId !== 'string') return value;
  if (answer.status === 202) return { ...rest, run, outcome: { kind: 'started', instanceId } };
  let runtimeStatus: unknown;
  try {
    ({ runtimeStatus } = JSON.parse(String(answer.body)) as { runtimeStatus?: unknown });
  } catch {
    runtimeStatus = undefined;
  }
  if (answer.status !== 200 || !isRuntimeStatus(runtimeStatus)) return value;
  return { ...rest, run, outcome: { kind: 'attached', instanceId, runtimeStatus } };
}

const JSON_CONTENT = { blobContentType: 'application/json' };

/**
 * Each record names its instance in its metadata, hashed (metadata is ASCII, and listings show
 * it): a purge finds an instance's records in one listing, without reading them all.
 */
const INSTANCE_METADATA = 'instance';

function instanceTag(instanceId: string): string {
  return createHash('sha256').update(instanceId, 'utf8').digest('hex');
}

function metadataOf(record: IdempotencyRecord): Record<string, string> {
  return { [INSTANCE_METADATA]: instanceTag(record.fingerprint.instanceId) };
}

export class BlobIdempotencyStore implements IdempotencyStore, InstanceRecords {
  private readonly container: ContainerClient;
  private readonly containerMade: ContainerOnce;

  constructor(
    service: BlobServiceClient,
    containerName: string,
    private readonly options: { readonly timeoutMs: number },
  ) {
    this.container = service.getContainerClient(containerName);
    this.containerMade = containerOnce(this.container, this.options.timeoutMs);
  }

  async create(scope: KeyScope, record: IdempotencyRecord): Promise<RecordVersion | undefined> {
    const text = JSON.stringify(record);
    const upload = () =>
      this.blob(scope).upload(text, Buffer.byteLength(text), {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: JSON_CONTENT,
        metadata: metadataOf(record),
        abortSignal: this.signal(),
      });
    try {
      return (await upload()).etag;
    } catch (error) {
      const status = statusOf(error);
      if (status === 409 || status === 412) return undefined;
      if (status !== 404) throw storageFailure(error, 'Claiming the idempotency key', 'records');
    }
    // The container does not exist yet (a fresh account, before any lock was taken).
    await this.containerMade.ready();
    try {
      return (await upload()).etag;
    } catch (error) {
      const status = statusOf(error);
      if (status === 409 || status === 412) return undefined;
      throw storageFailure(error, 'Claiming the idempotency key', 'records');
    }
  }

  async read(
    scope: KeyScope,
  ): Promise<{ record: IdempotencyRecord; version: RecordVersion } | undefined> {
    let text: string;
    let etag: string | undefined;
    try {
      const response = await this.blob(scope).download(0, undefined, {
        abortSignal: this.signal(),
      });
      etag = response.etag;
      text = await streamText(response.readableStreamBody);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw storageFailure(error, 'Reading the idempotency record', 'records');
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      record = undefined;
    }
    record = fromEarlierVersion(record);
    if (!isRecord(record) || etag === undefined) {
      throw dependencyFailure(
        'records',
        `The idempotency record '${recordBlobName(scope)}' is not readable.`,
        { answer: 'other' },
      );
    }
    return { record, version: etag };
  }

  async replace(
    scope: KeyScope,
    record: IdempotencyRecord,
    version: RecordVersion,
  ): Promise<RecordVersion | undefined> {
    const text = JSON.stringify(record);
    try {
      const response = await this.blob(scope).upload(text, Buffer.byteLength(text), {
        conditions: { ifMatch: version },
        blobHTTPHeaders: JSON_CONTENT,
        metadata: metadataOf(record),
        abortSignal: this.signal(),
      });
      return response.etag;
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 404) return undefined;
      throw storageFailure(error, 'Writing the idempotency record', 'records');
    }
  }

  async delete(scope: KeyScope, version: RecordVersion): Promise<void> {
    try {
      await this.blob(scope).delete({
        conditions: { ifMatch: version },
        abortSignal: this.signal(),
      });
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 404) return;
      throw storageFailure(error, 'Releasing the idempotency key', 'records');
    }
  }

  /**
   * Deletes the task hub's records of `instanceId`, found by their metadata; a record written by
   * an earlier version has none, and is read to tell. Bounded by the TTL: records expire anyway.
   */
  async forget(
    taskHub: string,
    instanceIds: readonly string[],
  ): Promise<ReadonlyMap<string, number>> {
    const byTag = new Map(instanceIds.map((id) => [instanceTag(id), id]));
    const forgotten = new Map(instanceIds.map((id) => [id, 0]));
    const prefix = `${RECORD_PREFIX}${taskHub.toLowerCase()}/`;
    try {
      for await (const item of this.container.listBlobsFlat({ prefix, includeMetadata: true })) {
        const named = item.metadata?.[INSTANCE_METADATA];
        if (named !== undefined && !byTag.has(named)) continue;
        const blob = this.container.getBlockBlobClient(item.name);
        const instanceId = named !== undefined ? byTag.get(named) : await instanceOfRecord(blob);
        if (instanceId === undefined || !forgotten.has(instanceId)) continue;
        await blob.deleteIfExists({ abortSignal: this.signal() });
        forgotten.set(instanceId, forgotten.get(instanceId)! + 1);
      }
    } catch (error) {
      if (statusOf(error) === 404) return forgotten; // no container yet: no records
      throw storageFailure(error, "Deleting the instances' idempotency records", 'records');
    }
    return forgotten;
  }

  private blob(scope: KeyScope) {
    return this.container.getBlockBlobClient(recordBlobName(scope));
  }

  private signal(): AbortSignal {
    return AbortSignal.timeout(this.options.timeoutMs);
  }
}

/** The instance a record without metadata names; undefined when it cannot be read as a record. */
async function instanceOfRecord(blob: BlockBlobClient): Promise<string | undefined> {
  const text = await streamText((await blob.download(0)).readableStreamBody);
  try {
    const record = fromEarlierVersion(JSON.parse(text)) as Partial<IdempotencyRecord> | null;
    return record?.fingerprint?.instanceId;
  } catch {
    return undefined;
  }
}

async function streamText(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}
