import { describe } from 'vitest';
import { createTestDatabase } from '../../helpers/db.js';
import { queueSuite } from './queue.suite.js';

describe('counsellor queue on PGlite', () => queueSuite(createTestDatabase));
