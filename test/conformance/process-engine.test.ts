// The engine conformance suite against the process engine.
import { createProcessEngine } from '../../src/engines/process/process-engine.js';
import { engineConformance } from './engine-suite.js';

engineConformance({
  name: 'process',
  create: () => createProcessEngine(),
  payload: (commands) => ({ command: commands, maxRunTime: 600 }),
});
