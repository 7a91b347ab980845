// The docker engine as the registry lists it. The engine itself (dockerode, and through it ssh2, gRPC and
// protobuf) is loaded only by a worker that runs it: a worker on another engine, and the queue, stay without
// it, which keeps them smaller and every fork of theirs cheaper.
import { loadSchema } from '../../schema/schema-files.js';
import type { EngineProvider } from '../types.js';
import { dockerSettingsFrom } from './docker-settings.js';

export const dockerEngine: EngineProvider = {
  name: 'docker',
  configSchema: loadSchema('config/docker-engine'),
  create: async ({ config, log }) => {
    const settings = dockerSettingsFrom(config);
    const { createDockerEngine } = await import('./docker-engine.js');
    return createDockerEngine(settings, log);
  },
};
