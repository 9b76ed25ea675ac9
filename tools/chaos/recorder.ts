/**
 * The runner's side of the history: sends start and signal requests to the app instances and
 * records each one (what it carried, when, the answer, and the faults in effect meanwhile).
 */
import type {
  FaultKind,
  OperationRecord,
  OutOfBandSignal,
  OutOfBandStart,
  RequestRecord,
  ScheduleRecord,
} from './history';
import { receiptsIn, sealSignal } from '../../src/singleton/signalReceipt';

/** Where a fault applies: storage (every instance), or one app instance (its extension endpoint, its processes). */
export type FaultScope = 'storage' | `instance:${number}`;

interface FaultInterval {
  readonly kind: FaultKind;
  readonly scope: FaultScope;
  readonly from: number;
  to?: number;
}

/** Which faults were in effect when. */
export class FaultBoard {
  private readonly intervals: FaultInterval[] = [];
  /** Counts per fault kind and scope, for the summary. */
  readonly injected: Record<string, number> = {};

  /** Marks `kind` in effect on `scope` from now; returns the function that ends it. */
  begin(kind: FaultKind, scope: FaultScope): () => void {
    const interval: FaultInterval = { kind, scope, from: Date.now() };
    this.intervals.push(interval);
    const key = `${kind}@${scope}`;
    this.injected[key] = (this.injected[key] ?? 0) + 1;
    return () => {
      interval.to ??= Date.now();
    };
  }

  /** Fault kinds in effect at any time in [from, to] on storage or on `instance`. */
  during(instance: number, from: number, to: number): FaultKind[] {
    const kinds = new Set<FaultKind>();
    for (const i of this.intervals) {
      const applies = i.scope === 'storage' || i.scope === `instance:${instance}`;
      if (applies && i.from <= to && (i.to ?? Infinity) >= from) kinds.add(i.kind);
    }
    return [...kinds].sort();
  }
}

export interface StartRequest {
  /** Index of the app instance to ask. */
  readonly instance: number;
  readonly orchestrator: string;
  readonly instanceId: string;
  readonly input: Record<string, unknown>;
  readonly onConflict?: 'reject' | 'attach' | 'restart';
  /** Default true: add a marker and record it in the history (jobs that refuse unknown input fields cannot). */
  readonly marked?: boolean;
}

/** A signal to the chaos job: a `ping` whose data carries a fresh marker. */
export interface SignalRequest {
  /** Index of the app instance to ask. */
  readonly instance: number;
  readonly instanceId: string;
  /** The input of a run the signal may start (`Singleton-Start-Input`); it gets a fresh marker. */
  readonly input: Record<string, unknown>;
}

/** The chaos job and the event its signals raise. */
const SIGNALLED_JOB = 'chaosJob';
const SIGNAL_EVENT = 'ping';

export class Recorder {
  readonly requests: RequestRecord[] = [];
  readonly operations: OperationRecord[] = [];
  readonly outOfBandStarts: OutOfBandStart[] = [];
  /** The schedules scenario i ran, with the scheduler's reports around it. */
  readonly schedules: ScheduleRecord[] = [];
  readonly outOfBandSignals: OutOfBandSignal[] = [];
  private sequence = 0;

  constructor(
    private readonly frontDoor: (instance: number) => string,
    private readonly board: FaultBoard,
    private readonly tag: string,
    private readonly timeoutMs: number,
    /** The starter's route prefix under /api (the Durable sample's is `sample/orchestrators`). */
    private readonly route = 'orchestrators',
    /** The signal route's prefix under /api (the naive baseline's is `sample/orchestrators`). */
    private readonly signalRoute = 'orchestrators',
  ) {}

  /** A marker no other request of any run carries. */
  nextMarker(): string {
    return `${this.tag}.${++this.sequence}`;
  }

  /** Sends one start; the input gets a fresh `marker`. Never throws: no answer is status 0. */
  async start(request: StartRequest): Promise<RequestRecord> {
    const marked = request.marked ?? true;
    const marker = marked ? this.nextMarker() : '';
    const query = request.onConflict ? `?onConflict=${request.onConflict}` : '';
    const url = `${this.frontDoor(request.instance)}/api/${this.route}/${request.orchestrator}/${encodeURIComponent(request.instanceId)}${query}`;
    const sentAt = Date.now();
    let status = 0;
    let retryAfter: string | undefined;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(marked ? { ...request.input, marker } : request.input),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer();
      status = response.status;
      retryAfter = response.headers.get('retry-after') ?? undefined;
    } catch {
      // No answer: connection refused or reset, or the client gave up.
    }
    const answeredAt = Date.now();
    const record: RequestRecord = {
      marker,
      instanceId: request.instanceId,
      orchestrator: request.orchestrator,
      ...(request.onConflict && { onConflict: request.onConflict }),
      target: `instance ${request.instance}`,
      sentAt,
      answeredAt,
      status,
      ...(retryAfter !== undefined && { retryAfter }),
      faults: this.board.during(request.instance, sentAt, answeredAt),
    };
    if (marked) this.requests.push(record);
    return record;
  }

  /**
   * Sends one signal: `POST /api/{signalRoute}/chaosJob/{id}/events/ping` with `{ marker }` as the
   * event's data and the start input (with its own fresh marker) in `Singleton-Start-Input`.
   * Recorded as a request (its `marker` is the start input's) with `signal`. Never throws.
   */
  async signal(request: SignalRequest): Promise<RequestRecord> {
    const marker = this.nextMarker();
    const signalMarker = this.nextMarker();
    const url = `${this.frontDoor(request.instance)}/api/${this.signalRoute}/${SIGNALLED_JOB}/${encodeURIComponent(request.instanceId)}/events/${SIGNAL_EVENT}`;
    const sentAt = Date.now();
    let status = 0;
    let retryAfter: string | undefined;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Singleton-Start-Input': JSON.stringify({ ...request.input, marker }),
        },
        body: JSON.stringify({ marker: signalMarker }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer();
      status = response.status;
      retryAfter = response.headers.get('retry-after') ?? undefined;
    } catch {
      // No answer.
    }
    const answeredAt = Date.now();
    const record: RequestRecord = {
      marker,
      instanceId: request.instanceId,
      orchestrator: SIGNALLED_JOB,
      target: `instance ${request.instance}`,
      sentAt,
      answeredAt,
      status,
      ...(retryAfter !== undefined && { retryAfter }),
      faults: this.board.during(request.instance, sentAt, answeredAt),
      signal: { event: SIGNAL_EVENT, marker: signalMarker },
    };
    this.requests.push(record);
    return record;
  }

  /**
   * Raises a `ping` through the extension's own API, past the starter (unsealed data, which the
   * job takes as a fresh signal): a deliberate raise the checker must not count against it.
   * Returns the extension's status code (0: no answer).
   */
  async raiseOutOfBand(
    request: { instance: number; instanceId: string },
    why: string,
  ): Promise<number> {
    const marker = this.nextMarker();
    this.outOfBandSignals.push({ marker, instanceId: request.instanceId, why });
    return this.raisePastTheStarter(request, { marker });
  }

  /**
   * The signal receipts the instance's run lists in its custom status, and its runtime status,
   * through the extension's own API; `undefined` when it answered nothing readable.
   */
  async receipts(
    instance: number,
    instanceId: string,
  ): Promise<{ runtimeStatus: string; receipts: readonly string[] } | undefined> {
    const url = `${this.frontDoor(instance)}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}`;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!response.ok) return undefined;
      const status = (await response.json()) as { runtimeStatus?: string; customStatus?: unknown };
      return {
        runtimeStatus: String(status.runtimeStatus),
        receipts: receiptsIn(status.customStatus),
      };
    } catch {
      return undefined;
    }
  }

  /**
   * Raises again, through the extension's API, the sealed event of a signal a run has read (its
   * signal ID and marker), as a copy the engine handed to a discarded episode comes back later:
   * every later run must ignore it. Not an out-of-band signal: its marker stays the copied
   * signal's, which the checker expects read as new by one run only. Returns the status code.
   */
  raiseLateCopy(
    request: { instance: number; instanceId: string },
    signalId: string,
    marker: string,
  ): Promise<number> {
    return this.raisePastTheStarter(request, sealSignal(signalId, { marker }));
  }

  /** `POST …/raiseEvent/ping` on the extension's API; its status code (0: no answer). */
  private async raisePastTheStarter(
    request: { instance: number; instanceId: string },
    data: unknown,
  ): Promise<number> {
    const url = `${this.frontDoor(request.instance)}/runtime/webhooks/durabletask/instances/${encodeURIComponent(request.instanceId)}/raiseEvent/${SIGNAL_EVENT}`;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(data),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  /** Sends all signals at once; answers in the order given. */
  signals(requests: readonly SignalRequest[]): Promise<RequestRecord[]> {
    return Promise.all(requests.map((r) => this.signal(r)));
  }

  /**
   * Starts an orchestration through the extension's own API, past the starter (a deliberate start
   * the checker must not count against it). Returns the extension's status code.
   */
  async startOutOfBand(request: StartRequest, why: string): Promise<number> {
    const marker = this.nextMarker();
    this.outOfBandStarts.push({ marker, instanceId: request.instanceId, why });
    const url = `${this.frontDoor(request.instance)}/runtime/webhooks/durabletask/orchestrators/${request.orchestrator}/${encodeURIComponent(request.instanceId)}`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...request.input, marker }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await response.arrayBuffer();
    return response.status;
  }

  /**
   * An operator's terminate or purge of `instanceId`, named under `orchestrator`: through the app's
   * operator routes, or (`via: 'extension'`, the baseline) through the extension's own links, which
   * the sample's 202 hands to whoever holds a function key. Never throws: no answer is status 0.
   */
  async operate(
    operation: OperationRecord['operation'],
    request: { instance: number; orchestrator: string; instanceId: string },
    via: OperationRecord['via'],
  ): Promise<OperationRecord> {
    const base = this.frontDoor(request.instance);
    const id = encodeURIComponent(request.instanceId);
    const url =
      via === 'app'
        ? `${base}/api/orchestrators/${request.orchestrator}/${id}${operation === 'terminate' ? '/terminate' : ''}`
        : `${base}/runtime/webhooks/durabletask/instances/${id}${operation === 'terminate' ? '/terminate?reason=operator' : ''}`;
    const sentAt = Date.now();
    let status = 0;
    try {
      const response = await fetch(url, {
        method: operation === 'terminate' ? 'POST' : 'DELETE',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      // No answer.
    }
    const record: OperationRecord = { operation, ...request, via, sentAt, status };
    this.operations.push(record);
    return record;
  }

  /** Sends all at once; answers in the order given. */
  burst(requests: readonly StartRequest[]): Promise<RequestRecord[]> {
    return Promise.all(requests.map((r) => this.start(r)));
  }
}
