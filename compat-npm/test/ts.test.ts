import { defineWaySuite } from './suite.js';

defineWaySuite('ts');
