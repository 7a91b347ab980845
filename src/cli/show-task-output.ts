// Prints what a finished task left behind (its log and one artifact), so the demo shows the whole story
// in the terminal without the user having to fetch URLs.
import type { CliIo } from './io.js';
import { artifactUrl, backingLogName } from './queue-urls.js';

async function fetchText(url: string): Promise<string | undefined> {
  try {
    // fetch follows the queue's 303 to the blob and undoes the gzip Content-Encoding.
    const response = await fetch(url);
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

const indent = (text: string): string =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `  | ${line}\n`)
    .join('');

export async function showTaskOutput(
  io: CliIo,
  where: { rootUrl: string; taskId: string; runId: number; artifact: string },
): Promise<void> {
  const log = await fetchText(artifactUrl(where.rootUrl, where.taskId, where.runId, backingLogName));
  if (log !== undefined) io.stdout(`task log (${backingLogName}):\n${indent(log)}`);
  const artifact = await fetchText(artifactUrl(where.rootUrl, where.taskId, where.runId, where.artifact));
  if (artifact !== undefined) io.stdout(`artifact ${where.artifact}:\n${indent(artifact)}`);
}
