// The `artifacts` plugin: publishes the files and directories the payload names once the commands ended
// (whatever their outcome), from the engine's ResultSet, so nothing outside the task's reach is published.
// Uploads run in the stopped stage, after the max-run-time clock has stopped.
import type { UploadOverrides } from '../../artifact-upload/run-upload-context.js';
import { uploadSettingsFrom } from '../../artifact-upload/upload-settings.js';
import { MalformedPayloadError } from '../../errors.js';
import type { ArtifactsPayload } from '../../generated/payload/artifacts.js';
import { loadSchema } from '../../schema/schema-files.js';
import type { PluginProvider } from '../types.js';
import { planArtifacts } from './artifact-plan.js';
import { publishArtifacts } from './publish-artifacts.js';

/** The plugin, with overrides for tests (fast retries, a fake object service client). */
export function createArtifactsPlugin(overrides: UploadOverrides = {}): PluginProvider {
  return {
    name: 'artifacts',
    configSchema: loadSchema('config/artifacts'),
    create: ({ config }) => {
      const settings = uploadSettingsFrom(config);
      return {
        name: 'artifacts',
        payloadSchema: loadSchema('payload/artifacts'),
        forTask(ctx) {
          const plan = planArtifacts((ctx.payload as ArtifactsPayload).artifacts ?? [], ctx.task);
          if (plan.problems.length > 0) throw new MalformedPayloadError(plan.problems);
          if (plan.artifacts.length === 0) return undefined;
          return {
            stopped: (result, { signal }) =>
              publishArtifacts(ctx, plan.artifacts, result, signal, { settings, ...overrides }),
          };
        },
      };
    },
  };
}

export const artifactsPlugin: PluginProvider = createArtifactsPlugin();
