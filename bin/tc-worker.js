#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the prepare script).
import { main } from '../dist/cli/main.js';

// After a command is done, whatever still holds the event loop is a request nobody waits for (taskcluster-client
// cannot cancel the claimWork long-poll, which a real queue holds ~20 s). Give it a moment, then go.
const lingerMs = 2000;

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), lingerMs).unref();
  },
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(70);
  },
);
