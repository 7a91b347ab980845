// Finds processes that a test's task left running: any live process whose working directory is inside the
// task directory (every task process of the process engine starts there).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`).replace(/ \(deleted\)$/, '');
      if (cwd !== dir && !cwd.startsWith(`${dir}/`)) continue;
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
      if (state !== 'Z' && state !== 'X') found.push(Number(entry));
    } catch {
      // Gone while we looked, or not ours to inspect.
    }
  }
  return found;
}
