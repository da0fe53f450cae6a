// The shared job queue suite on the in-process driver (no Redis).
import { InProcessQueue } from '../../../engine/src/jobs/in-process-queue.js';
import { createLogger } from '../../../engine/src/shared/logger.js';
import { describeJobQueue } from '../../support/job-queue-suite.js';

describeJobQueue('in-process', () => new InProcessQueue({ log: createLogger('silent') }));
