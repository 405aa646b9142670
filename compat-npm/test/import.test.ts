import { defineWaySuite } from './suite.js';

defineWaySuite('import');
