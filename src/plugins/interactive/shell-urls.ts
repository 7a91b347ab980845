// Where a shell is reached: the socket URL on the webhook server and the Taskcluster UI page that opens it.

/** The reserved artifact generic-worker publishes for `features.interactive`. */
export const shellArtifactName = 'private/generic-worker/shell.html';

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
