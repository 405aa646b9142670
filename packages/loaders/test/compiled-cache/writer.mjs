// A writer for the atomic-write test: copies the bytes of `<version file>` onto `<target>` with
// writeFileAtomic, `<count>` times. Prints `ready`, waits for a line on stdin, then writes.
import { readFileSync } from 'node:fs';

import { writeFileAtomic } from '../../src/io/atomic-write.js';

const [target, versionFile, count] = process.argv.slice(2);
const bytes = readFileSync(versionFile);
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  for (let i = 0; i < Number(count); i++) writeFileAtomic(target, bytes);
  process.stdin.pause();
  process.stdout.write('done\n');
});
