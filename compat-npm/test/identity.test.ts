import { defineWaySuite } from './suite.js';

defineWaySuite('identity');
