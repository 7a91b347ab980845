// Building the engines' small C helpers (the process spawner; the sandbox's launcher and command supervisor)
// once per source version into a directory of the engine's, where the host has a C compiler. Linked statically where the C library allows it:
// on these machines an exec of a dynamically linked program costs about 0.4 ms more (the loader mapping and
// relocating libc), and each helper runs for every command. Where nothing compiles or the result does not
// run (a `noexec` state directory), the engine uses the slower equivalents (Node's own spawn; the sandbox's scripts, launch-scripts.ts).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { outputText } from './child-output.js';
import { findTool } from './find-tool.js';
import { ownedAlone } from './owned-alone.js';

const run = promisify(execFile);

const compilers = ['cc', 'gcc', 'tcc', 'clang'];
const compileTimeoutMs = 60_000;

export interface HelperSpec {
  /** The binary's name in the state directory, before its version. */
  readonly name: string;
  readonly source: string;
  /** Whether the built binary works here; called once per engine start. */
  readonly works: (binary: string, log: Logger) => Promise<boolean>;
}

/**
 * The helper's binary in `stateDir`, compiled now unless this source's build is there already; undefined
 * where there is no C compiler, it fails, or the binary does not work.
 */
export async function compiledHelper(
  stateDir: string,
  spec: HelperSpec,
  log: Logger,
): Promise<string | undefined> {
  const version = createHash('sha256').update(spec.source).digest('hex').slice(0, 12);
  const binary = join(stateDir, `${spec.name}-${version}`);
  // A build of ours: a regular file of the worker's user that nobody else may write.
  if (await ownedAlone(binary, 'file', 0o022)) return (await spec.works(binary, log)) ? binary : undefined;
  // Anything else under that name (a file someone else made, before the state directory was the
  // engine's) is not run: the launcher runs as root.
  await rm(binary, { force: true });
  for (const name of compilers) {
    const compiler = await findTool(name);
    if (!compiler) continue;
    const source = join(stateDir, `${spec.name}-${version}.${process.pid}.c`);
    const output = `${binary}.${process.pid}.tmp`;
    try {
      await writeFile(source, spec.source, { mode: 0o600 });
      const problem =
        (await compile(compiler, [...staticFlags, '-o', output, source])) &&
        (await compile(compiler, ['-O2', '-o', output, source]));
      if (problem) {
        log.warn({ compiler, problem, helper: spec.name }, 'compiling a helper failed');
        continue;
      }
      // Sandbox task users may execute it (through a read-only bind); nobody may change it.
      await chmod(output, 0o755);
      await rename(output, binary);
      log.info({ binary, compiler, helper: spec.name }, 'helper compiled');
      return (await spec.works(binary, log)) ? binary : undefined;
    } finally {
      await rm(source, { force: true });
      await rm(output, { force: true });
    }
  }
  return undefined;
}

const staticFlags = ['-O2', '-static'];

/** Undefined when the compiler built the program; otherwise what it said. */
async function compile(compiler: string, args: string[]): Promise<string | undefined> {
  try {
    await run(compiler, args, { timeout: compileTimeoutMs });
    return undefined;
  } catch (error) {
    return outputText((error as { stderr?: unknown }).stderr) || (error as Error).message;
  }
}
