/** The telemetry settings of the starter, read from the app settings. */
import { ConfigError } from '../config';
import type { Env } from '../env';

export interface TelemetrySettings {
  /**
   * Whether spans carry the instance ID (`SINGLETON_TELEMETRY_RECORD_INSTANCE_ID`, default true).
   * An ID can carry personal data (a user or tenant ID), so an operator can keep it out of traces;
   * metrics never carry it, whatever the setting (one time series per ID would be unbounded).
   */
  readonly recordInstanceId: boolean;
}

const SETTING = 'SINGLETON_TELEMETRY_RECORD_INSTANCE_ID';

export function loadTelemetrySettings(env: Env): TelemetrySettings {
  const raw = env[SETTING]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'true' || raw === '1') {
    return { recordInstanceId: true };
  }
  if (raw === 'false' || raw === '0') {
    return { recordInstanceId: false };
  }
  throw new ConfigError(`App setting ${SETTING} must be true or false; got '${env[SETTING]}'.`);
}
