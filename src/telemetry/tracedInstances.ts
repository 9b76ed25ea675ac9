/** The durable instances port, with a child span per call. */
import type { ExistingInstance, Instances, Raised, Run } from '../singleton/ports';
import { inChildSpan, type SpanScope } from './childSpan';
import { ATTR, SPAN } from './names';

export class TracedInstances implements Instances {
  constructor(
    private readonly inner: Instances,
    private readonly scope: SpanScope,
  ) {}

  get taskHub(): string {
    return this.inner.taskHub;
  }

  status(instanceId: string): Promise<ExistingInstance | undefined> {
    return inChildSpan(
      this.scope,
      SPAN.status,
      {},
      () => this.inner.status(instanceId),
      (found) => (found === undefined ? {} : { [ATTR.runtimeStatus]: found.runtimeStatus }),
    );
  }

  run(instanceId: string): Promise<Run | undefined> {
    return inChildSpan(this.scope, SPAN.run, {}, () => this.inner.run(instanceId));
  }

  start(orchestrator: string, instanceId: string, input: unknown): Promise<void> {
    return inChildSpan(this.scope, SPAN.startInstance, { [ATTR.orchestrator]: orchestrator }, () =>
      this.inner.start(orchestrator, instanceId, input),
    );
  }

  terminate(instanceId: string, reason: string): Promise<void> {
    return inChildSpan(this.scope, SPAN.terminate, {}, () =>
      this.inner.terminate(instanceId, reason),
    );
  }

  raise(instanceId: string, eventName: string, data: unknown): Promise<Raised> {
    return inChildSpan(
      this.scope,
      SPAN.raise,
      { [ATTR.eventName]: eventName },
      () => this.inner.raise(instanceId, eventName, data),
      (raised) => ({ [ATTR.raised]: raised }),
    );
  }
}
