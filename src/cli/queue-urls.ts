// Where a person finds a task's status, log and artifacts on a queue (real or embedded).

function api(rootUrl: string): string {
  return `${rootUrl.replace(/\/+$/, '')}/api/queue/v1`;
}

export function taskStatusUrl(rootUrl: string, taskId: string): string {
  return `${api(rootUrl)}/task/${taskId}/status`;
}

export function artifactListUrl(rootUrl: string, taskId: string, runId: number): string {
  return `${api(rootUrl)}/task/${taskId}/runs/${runId}/artifacts`;
}

/** Artifact names keep their slashes: the queue's route takes the rest of the path as the name. */
export function artifactUrl(rootUrl: string, taskId: string, runId: number, name: string): string {
  return `${artifactListUrl(rootUrl, taskId, runId)}/${name.split('/').map(encodeURIComponent).join('/')}`;
}

export const backingLogName = 'public/logs/live_backing.log';
