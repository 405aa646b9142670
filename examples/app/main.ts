// A tiny TypeScript app the demo runs from its folder with createImportSystem.
import { greet, Tone } from './greeting';
import { shout } from './greeting/shout.js';
import { basename } from 'node:path';

export const lines: string[] = [
  greet('importlib', Tone.Warm),
  shout(greet('folders', Tone.Plain)),
  `from ${basename(__filename)}`,
];
