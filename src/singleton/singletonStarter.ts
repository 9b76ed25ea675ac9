/**
 * The singleton starter: one object per process, whatever the door (HTTP, a timer, a queue
 * message, a caller's own code). A plain request in, one result out: the request is checked, then
 * handed to the start step (the flow in `start.ts`, wrapped by the Idempotency-Key records and the
 * telemetry). Nothing here is made per request but the request's own data.
 */
import type { Instances, Logger, SingletonLock } from './ports';
import { checkRequest } from './request';
import type { SingletonRequest, SingletonResult } from './result';
import type { StartStep } from './start';

export class SingletonStarter {
  constructor(
    private readonly step: StartStep,
    private readonly lock: SingletonLock,
  ) {}

  /**
   * Starts `request.orchestrator` under `request.instanceId` unless an instance with the ID is
   * running, on the task hub `instances` reaches. `log` is the invocation's, so each decision is
   * logged where the trigger's own lines are.
   */
  async start(
    request: SingletonRequest,
    instances: Instances,
    log: Logger,
  ): Promise<SingletonResult> {
    const command = checkRequest(request);
    if ('kind' in command) {
      log.info(`Start refused (invalid ${command.field}): ${command.detail}`);
      return command;
    }
    return this.step.start(command, { instances, lock: this.lock, log });
  }
}
