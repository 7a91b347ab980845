// The tc-worker command line. `main` parses argv, runs one command and returns the exit code; bin/tc-worker.js
// sets it. Everything a command needs from the process comes in through CliIo.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { exitCodes } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';
import type { AddClientCommandOptions } from './add-client-command.js';
import type { QueueCommandOptions } from './queue-command.js';
import { registry as defaultRegistry, type Registry } from './registry.js';

// Each command's module is loaded when the command runs: a worker never loads the embedded queue (its web
// framework, SQLite, the S3 SDK), which keeps its memory small, and forking each task's process with it.
const commands = {
  work: async () => (await import('./work-command.js')).workCommand,
  queue: async () => (await import('./queue-command.js')).queueCommand,
  addClient: async () => (await import('./add-client-command.js')).addClientCommand,
  submit: async () => (await import('./submit-command.js')).submitCommand,
  demo: async () => (await import('./demo-command.js')).demoCommand,
  schema: async () => await import('./schema-command.js'),
};

const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max)
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    return parsed;
  };
}

const exitCodeHelp = `
Exit codes:
  0   graceful stop / success / task completed
  1   task failed (submit --wait, demo --exit-after-task)
  2   task exception (submit --wait, demo --exit-after-task)
  64  bad command line
  65  task file unreadable or refused by the queue (submit)
  69  queue unreachable
  70  fatal error
  75  forced shutdown: running tasks were aborted (worker-shutdown)
  78  invalid config`;

function buildProgram(io: CliIo, registry: Registry, setCode: (code: number) => void): Command {
  const program = new Command('tc-worker')
    .description('A Taskcluster worker with an embedded, wire-compatible Taskcluster queue.')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', exitCodeHelp)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  // Subcommands inherit neither output nor exitOverride from the program.
  const command = (name: string): Command =>
    program
      .command(name)
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
      .exitOverride()
      .showHelpAfterError('(run with --help for usage)');

  command('work')
    .description('Claim and run tasks as configured. First SIGTERM/SIGINT drains, the second aborts.')
    .requiredOption('-c, --config <file>', 'worker config, YAML or JSON (see docs/operations.md)')
    .addHelpText(
      'after',
      `
Credentials and root URL missing from the file come from TASKCLUSTER_ROOT_URL, TASKCLUSTER_CLIENT_ID,
TASKCLUSTER_ACCESS_TOKEN and TASKCLUSTER_CERTIFICATE; the file wins where both give a value.
Exit codes: 0 graceful stop, 70 fatal error, 75 forced shutdown, 78 invalid config.`,
    )
    .action(async (options: { config: string }) =>
      setCode(await (await commands.work())(options.config, io, registry)),
    );

  const queue = command('queue')
    .description('Serve the embedded Taskcluster queue; prints its root URL. Stops on SIGTERM/SIGINT.')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', integer(0, 65535), 8080)
    .requiredOption('-d, --data-dir <dir>', 'where tasks and artifacts are stored')
    .option('--claim-timeout <seconds>', 'how long a claim lasts (default 1200)', integer(1, 86400))
    .option('--public-url <url>', 'base of the URLs handed out, when clients reach the queue elsewhere')
    .option('-c, --config <file>', 'clients, roles and clock skew, YAML or JSON (see docs/queue.md)')
    .option(
      '--artifact-store <store>',
      'where artifact bytes go: file (under the data dir) or s3://BUCKET',
      'file',
    )
    .option('--s3-endpoint <url>', 'S3 endpoint (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, or AWS)')
    .option('--s3-region <region>', 'S3 region (default: AWS_REGION, AWS_DEFAULT_REGION, or us-east-1)')
    .option('--s3-access-key-id <id>', 'S3 access key (default: AWS_ACCESS_KEY_ID)')
    .option('--s3-secret-access-key <key>', 'S3 secret key (default: AWS_SECRET_ACCESS_KEY)')
    .option(
      '--sync-to-disk',
      'wait for the disk on every change so that it survives power loss (slower)',
      false,
    )
    .option('--no-s3-force-path-style', 'address buckets as <bucket>.<host> instead of <host>/<bucket>')
    .addOption(
      new Option('--log-level <level>', 'level of the JSON log on stderr').choices(logLevels).default('info'),
    )
    .action(async (options: QueueCommandOptions) => setCode(await (await commands.queue())(options, io)));
  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  queue
    .command('add-client')
    .description("Add a client to the queue's data dir (running or not) and print its credentials.")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .requiredOption('--client-id <id>', 'the new clientId, e.g. worker-pool/proj/ci or user/alice')
    .option('--scope <scope>', 'a scope to give it (repeatable)', collect, [])
    .option(
      '--worker-pool <taskQueueId>',
      'scopes to claim work from this task queue (repeatable)',
      collect,
      [],
    )
    .option('--user', 'scopes to create, schedule, rerun and cancel tasks and read every artifact', false)
    .option('--description <text>', 'what the client is for')
    .option('--replace', 'replace an existing client of that id (new token and scopes)', false)
    .option('--root-url <url>', 'print TASKCLUSTER_ROOT_URL with the credentials')
    .addHelpText(
      'after',
      "\nThe data dir is the queue command's: tc-worker queue -d DIR add-client --client-id ID ...",
    )
    .action(async (options: Omit<AddClientCommandOptions, 'dataDir'>, command: Command) => {
      const dataDir = command.parent?.opts<{ dataDir?: string }>().dataDir;
      if (!dataDir) throw new InvalidArgumentError('tc-worker queue add-client needs --data-dir');
      setCode(await (await commands.addClient())({ ...options, dataDir }, io));
    });

  command('submit')
    .description('Create a task from a YAML or JSON file and print where to watch it.')
    .argument(
      '<file>',
      'task definition; created, deadline (+1 h), expires, metadata and taskQueueId are filled in',
    )
    .option('--root-url <url>', 'queue root URL (default: TASKCLUSTER_ROOT_URL)')
    .option('--task-queue-id <id>', 'task queue when the file names none', 'tc-worker/local')
    .option('--wait', 'wait until the task resolves; exit 0 completed, 1 failed, 2 exception', false)
    .option('--follow', 'like --wait, then print the task log', false)
    .addHelpText(
      'after',
      '\nCredentials come from TASKCLUSTER_CLIENT_ID, TASKCLUSTER_ACCESS_TOKEN, TASKCLUSTER_CERTIFICATE.',
    )
    .action(
      async (
        file: string,
        options: { rootUrl?: string; taskQueueId: string; wait: boolean; follow: boolean },
      ) => setCode(await (await commands.submit())({ file, ...options }, io)),
    );

  command('demo')
    .description('Run the embedded queue and a worker in one process, and submit a hello-world task.')
    .option('--host <host>', 'address the queue listens on', '127.0.0.1')
    .option('-p, --port <port>', 'queue port (0: any free port)', integer(0, 65535), 0)
    .option('-d, --data-dir <dir>', 'queue data, task directories and logs', '.data/demo')
    .option('--exit-after-task', 'exit when the task resolves: 0 completed, 1 failed, 2 exception', false)
    .action(async (options: { host: string; port: number; dataDir: string; exitAfterTask: boolean }) =>
      setCode(await (await commands.demo())(options, io, registry)),
    );

  const schema = command('schema').description('Print a composed JSON Schema.');
  schema
    .command('config')
    .description('The worker config schema: worker keys, the engine and every plugin.')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .option('--engine <name>', 'engine whose keys to include', 'process')
    .action(async (options: { engine: string }) =>
      setCode((await commands.schema()).schemaConfigCommand(options.engine, io, registry)),
    );
  schema
    .command('payload')
    .description('The task payload schema: the engine part and every plugin part.')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .option('-c, --config <file>', 'compose it for this worker config (default: built-in defaults)')
    .option('--engine <name>', 'engine, when no config is given', 'process')
    .action(async (options: { config?: string; engine: string }) =>
      setCode(await (await commands.schema()).schemaPayloadCommand(options, io, registry)),
    );
  return program;
}

/** Runs the CLI; resolves with the exit code (never exits the process itself). */
export async function main(
  argv: string[],
  io: CliIo = processIo(),
  registry: Registry = defaultRegistry,
): Promise<number> {
  let code: number = exitCodes.ok;
  const program = buildProgram(io, registry, (value) => (code = value));
  if (argv.length === 0) {
    program.outputHelp();
    return exitCodes.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version arrive here as "errors" with exit code 0.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    io.stderr(`tc-worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return exitCodes.fatal;
  }
  return code;
}
