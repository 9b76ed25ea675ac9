/**
 * The app's entry point, loaded before the function modules (package.json `main` lists it first,
 * as the Core Tools template does): telemetry must be set up before any function registers and
 * before the modules it instruments load. With no destination configured it does nothing.
 */
import { setupTelemetry } from './telemetry/setup';

setupTelemetry(process.env);
