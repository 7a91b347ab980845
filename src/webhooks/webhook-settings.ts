// The webhook server's worker-config keys (schemas/config/webhooks.yml), read from the validated config, and
// the config part that puts them into the composed config schema.
import type { WebhooksConfig } from '../generated/config/webhooks.js';
import type { PluginProvider } from '../plugins/types.js';
import { loadSchema } from '../schema/schema-files.js';

export interface WebhookSettings {
  readonly host: string;
  readonly port: number;
  readonly publicUrl?: string;
}

export function webhookSettingsFrom(config: Record<string, unknown>): WebhookSettings {
  const part = (config as WebhooksConfig).webhooks ?? {};
  return {
    host: part.host ?? '127.0.0.1',
    port: part.port ?? 0,
    ...(part.publicUrl !== undefined ? { publicUrl: part.publicUrl } : {}),
  };
}

/**
 * The config schema is composed from the worker's part and the registry's providers, so the webhook server's
 * keys come in as a provider that contributes a config part and nothing else (it never acts on a task).
 */
export const webhooksConfigPart: PluginProvider = {
  name: 'webhooks',
  configSchema: loadSchema('config/webhooks'),
  create: () => ({ name: 'webhooks', forTask: () => undefined }),
};
