// The `interactive` plugin (generic-worker's `features.interactive`): while the task runs, a shell into it
// over a websocket on the worker's webhook server, published as the reference artifact shell.html.
import { FeatureNotSupportedError, MalformedPayloadError } from '../../errors.js';
import type { InteractiveConfig } from '../../generated/config/interactive.js';
import type { InteractivePayload } from '../../generated/payload/interactive.js';
import { loadSchema } from '../../schema/schema-files.js';
import type { WebhookServer } from '../../webhooks/types.js';
import type { PluginProvider, TaskContext, TaskPlugin } from '../types.js';
import { ShellEndpoint } from './shell-endpoint.js';
import { shellArtifactNameFor, shellPageUrl } from './shell-urls.js';

export interface InteractiveSettings {
  readonly enabled: boolean;
  readonly maxSessions: number;
}

/** The plugin's config keys with their defaults (the validated config has them; tests may pass less). */
export function interactiveSettingsFrom(config: Record<string, unknown>): InteractiveSettings {
  const part = (config as InteractiveConfig).interactive ?? {};
  return { enabled: part.enabled ?? false, maxSessions: part.maxSessions ?? 4 };
}

export const interactivePlugin: PluginProvider = {
  name: 'interactive',
  configSchema: loadSchema('config/interactive'),
  create: ({ config, webhooks, payloadFormat }) => {
    const artifactName = shellArtifactNameFor(payloadFormat);
    const settings = interactiveSettingsFrom(config);
    // A pool that enables shells but has no server to serve them is misconfigured: say so at start-up.
    if (settings.enabled && !webhooks)
      throw new Error('interactive.enabled needs the webhook server, and this worker has none');
    return {
      name: 'interactive',
      payloadSchema: loadSchema('payload/interactive'),
      reservedArtifacts: [artifactName],
      forTask(ctx) {
        if ((ctx.payload as InteractivePayload).features?.interactive !== true) return undefined;
        if (!settings.enabled || !webhooks)
          throw new MalformedPayloadError(
            'payload.features.interactive is requested, but the interactive feature is not enabled on this worker pool',
          );
        return interactiveTask(ctx, webhooks, settings, artifactName);
      },
    };
  },
};

function interactiveTask(
  ctx: TaskContext,
  webhooks: WebhookServer,
  settings: InteractiveSettings,
  artifactName: string,
): TaskPlugin {
  let endpoint: ShellEndpoint | undefined;
  const close = async (reason: string): Promise<void> => {
    const open = endpoint;
    endpoint = undefined;
    await open?.close(reason);
  };
  return {
    buildSandbox(builder) {
      // Refused before the commands run, as a malformed payload: this engine has no shells.
      if (builder.canOpenShell !== true)
        throw new FeatureNotSupportedError('interactive', 'this worker engine cannot open a shell');
    },
    async started(sandbox, { signal }) {
      const openShell = sandbox.openShell?.bind(sandbox);
      if (!openShell)
        throw new FeatureNotSupportedError('interactive', 'this worker engine cannot open a shell');
      endpoint = new ShellEndpoint({
        webhooks,
        openShell,
        maxSessions: settings.maxSessions,
        log: ctx.log,
        workerLog: ctx.workerLog.child({ plugin: 'interactive' }),
      });
      const url = shellPageUrl(ctx.worker.rootUrl, endpoint.socketUrl, ctx.taskId, ctx.runId);
      signal.throwIfAborted();
      await ctx.artifacts.createArtifact(artifactName, {
        storageType: 'reference',
        url,
        contentType: 'text/html; charset=utf-8',
        expires: ctx.task.expires,
      });
      ctx.log.info(`Interactive shell available (artifact ${artifactName})`);
    },
    // The task ended: every shell goes with it, and the URL stops answering.
    stopped: () => close('the task ended'),
    dispose: () => close('the task ended').catch(() => undefined),
  };
}
