// Where a shell is reached: the socket URL on the webhook server and the Taskcluster UI page that opens it.

import type { PayloadFormat } from '../../engines/types.js';

/** The reserved artifact generic-worker publishes for `features.interactive`. */
export const shellArtifactName = 'private/generic-worker/shell.html';

/** docker-worker's name of it (tools that open a docker task's shell look for this one). */
export const dockerShellArtifactName = 'private/docker-worker/shell.html';

export function shellArtifactNameFor(format: PayloadFormat | undefined): string {
  return format === 'docker-worker' ? dockerShellArtifactName : shellArtifactName;
}

/** The hook's http(s) URL as a websocket URL, with the shell's sub-path. */
export function socketUrlOf(hookUrl: string, subPath: string): string {
  const url = new URL(`${hookUrl.replace(/\/+$/, '')}${subPath}`);
  if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol === 'http:') url.protocol = 'ws:';
  return url.toString();
}

/** The Taskcluster UI's shell page (`<rootUrl>/shell/`), as generic-worker links it. */
export function shellPageUrl(rootUrl: string, socketUrl: string, taskId: string, runId: number): string {
  const query = new URLSearchParams({ v: '2', socketUrl, taskId, runId: String(runId) });
  return `${rootUrl.replace(/\/+$/, '')}/shell/?${query.toString()}`;
}
