import { describe } from 'vitest';
import { createTestDatabase } from '../../helpers/db.js';
import { runtimeSuite } from './runtime.suite.js';

describe('runtime on PGlite', () => runtimeSuite(createTestDatabase));
