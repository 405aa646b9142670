// What `importlib run examples/app` runs (the folder's __main__, like Python's): the app's lines,
// then the arguments it was given.
import { lines } from './main.js';

for (const line of lines) console.log(line);
if (process.argv.length > 2) console.log(`args: ${process.argv.slice(2).join(' ')}`);
