import { defineWaySuite } from './suite.js';

defineWaySuite('require');
