// Names of the numbers that helpers report (an errno, a signal), as Node names them in its own errors.
import { constants } from 'node:os';

const errnoNames = new Map(Object.entries(constants.errno).map(([name, number]) => [number, name]));
const signalNames = new Map(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/** `ENOENT` for 2; undefined for a number this system does not name. */
export function errnoName(errno: number): string | undefined {
  return errnoNames.get(errno);
}

/** `SIGTERM` for 15; undefined for a number this system does not name. */
export function signalName(signal: number): NodeJS.Signals | undefined {
  return signalNames.get(signal);
}
