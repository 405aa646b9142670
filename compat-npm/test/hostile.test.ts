import { defineWaySuite } from './suite.js';

defineWaySuite('hostile');
