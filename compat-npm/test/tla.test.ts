import { defineWaySuite } from './suite.js';

defineWaySuite('tla');
