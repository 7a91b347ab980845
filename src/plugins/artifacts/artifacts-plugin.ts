// The `artifacts` plugin: publishes the files and directories the payload names once the commands ended
// (whatever their outcome), from the engine's ResultSet, so nothing outside the task's reach is published.
// Uploads run in the stopped stage, after the max-run-time clock has stopped. The docker-worker format's map
// is read into the same list (see docker-artifacts.ts).
import type { UploadOverrides } from '../../artifact-upload/run-upload-context.js';
import { uploadSettingsFrom } from '../../artifact-upload/upload-settings.js';
import { MalformedPayloadError } from '../../errors.js';
import type { ArtifactsPayload } from '../../generated/payload/artifacts.js';
import type { DockerArtifactsPayload } from '../../generated/payload/docker-artifacts.js';
import type { TaskDefinition } from '../../generated/queue/task-definition.js';
import { loadSchema } from '../../schema/schema-files.js';
import type { PluginProvider } from '../types.js';
import { planArtifacts, type ArtifactPlan } from './artifact-plan.js';
import { dockerArtifactEntries } from './docker-artifacts.js';
import { publishArtifacts } from './publish-artifacts.js';

/** The plugin, with overrides for tests (fast retries, a fake object service client). */
export function createArtifactsPlugin(overrides: UploadOverrides = {}): PluginProvider {
  return {
    name: 'artifacts',
    configSchema: loadSchema('config/artifacts'),
    create: ({ config, payloadFormat }) => {
      const settings = uploadSettingsFrom(config);
      const docker = payloadFormat === 'docker-worker';
      return {
        name: 'artifacts',
        payloadSchema: loadSchema(docker ? 'payload/docker-artifacts' : 'payload/artifacts'),
        forTask(ctx) {
          const plan = docker
            ? planDockerArtifacts(ctx.payload, ctx.task)
            : planArtifacts((ctx.payload as ArtifactsPayload).artifacts ?? [], ctx.task);
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

function planDockerArtifacts(payload: DockerArtifactsPayload, task: TaskDefinition): ArtifactPlan {
  const { entries, fields } = dockerArtifactEntries(payload.artifacts);
  return planArtifacts(entries, task, fields);
}

export const artifactsPlugin: PluginProvider = createArtifactsPlugin();
