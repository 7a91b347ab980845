// The engines and plugins this build of tc-worker offers: explicit arrays, never side effects of an import.
// Every plugin listed here takes part in every worker (its config keys are validated, its payload part
// composed); each decides per task whether it has anything to do.
import type { EngineProvider } from '../engines/types.js';
import { processEngine } from '../engines/process/process-engine.js';
import { sandboxEngine } from '../engines/sandbox/sandbox-engine.js';
import { dockerEngine } from '../engines/docker/docker-provider.js';
import type { PluginProvider } from '../plugins/types.js';
import { artifactsPlugin } from '../plugins/artifacts/artifacts-plugin.js';
import { envPlugin } from '../plugins/env/env-plugin.js';
import { interactivePlugin } from '../plugins/interactive/interactive-plugin.js';
import { liveLogPlugin } from '../plugins/live-log/live-log-plugin.js';
import { maxRunTimePlugin } from '../plugins/max-run-time/max-run-time-plugin.js';
import { onExitStatusPlugin } from '../plugins/on-exit-status/on-exit-status-plugin.js';
import { taskLogPlugin } from '../plugins/task-log/task-log-plugin.js';
import { taskclusterProxyPlugin } from '../plugins/taskcluster-proxy/taskcluster-proxy-plugin.js';
import { webhooksConfigPart } from '../webhooks/webhook-settings.js';

export interface Registry {
  readonly engines: readonly EngineProvider[];
  readonly plugins: readonly PluginProvider[];
}

export const registry: Registry = {
  engines: [processEngine, sandboxEngine, dockerEngine],
  // `webhooksConfigPart` only contributes the webhook server's config keys (the server is built in
  // build-worker.ts).
  plugins: [
    webhooksConfigPart,
    taskLogPlugin,
    liveLogPlugin,
    envPlugin,
    maxRunTimePlugin,
    onExitStatusPlugin,
    artifactsPlugin,
    interactivePlugin,
    taskclusterProxyPlugin,
  ],
};
