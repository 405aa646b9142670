import { defineWaySuite } from './suite.js';

defineWaySuite('path-async');
