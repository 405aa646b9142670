// The compiled cache as a user meets it (the `.pyc` of this system:
// docs/conformance.md#compiled-cache): real trees imported through createImportSystem, in this
// process and in fresh Node processes, watched through the verbose trace (`system.addTracer`) and
// the files left on disk.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join, parse } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

import { ImportError, type ImportSystem, type ModuleType } from '@importlib/core';
import { createImportSystem, type CreateImportSystemOptions } from '@importlib/hooks';
import {
  cacheFromSource,
  CompiledCacheError,
  decodeCompiled,
  encodeCompiled,
  HEADER_SIZE,
  MAGIC_TAG,
  sourceHash,
  SourcelessFileLoader,
  unregisterSourceMap,
  v8RuntimeKey,
  type DecodedCompiled,
} from '@importlib/loaders';

import { tree as treeIn, workFolder } from './helpers.js';

const work = workFolder('compiled-cache-');

// ---------------------------------------------------------------------------------------------
// Trees, systems and compiled files

/** A module whose transpiled form differs from its source (types, an interface). */
function moduleSource(b: string): string {
  return [
    'interface Pair { a: number; b: number }',
    `const pair: Pair = { a: 6, b: ${b} };`,
    'export const result: number = pair.a * pair.b;',
    'export function greet(name: string): string {',
    "  return 'hello ' + name;",
    '}',
    '',
  ].join('\n');
}

/** `m.ts` as first written: `result` is 42. */
const M = moduleSource('7');
/** The same length as {@link M}, other code: `result` is 48. */
const M_SAME_SIZE = moduleSource('8');
/** Longer than {@link M}: `result` is 420. */
const M_LONGER = moduleSource('70');

/** Source mtimes set by hand, in whole seconds so they come back exactly. */
const T1 = new Date('2020-01-01T00:00:00Z');
const T2 = new Date('2021-06-01T12:00:00Z');

/** A fresh folder under test/.work holding `files`. */
function tree(files: Record<string, string>, prefix = 'tree-'): string {
  return treeIn(work.path, files, prefix);
}

/** A tree with `m.ts` ({@link M}, mtime {@link T1}) and nothing compiled yet. */
function freshTree(): string {
  const root = tree({ 'm.ts': M });
  utimesSync(join(root, 'm.ts'), T1, T1);
  return root;
}

/** A new system on `root` whose verbose trace is collected in `messages`. */
function open(
  root: string,
  options: CreateImportSystemOptions = {},
): { system: ImportSystem; messages: string[] } {
  const system = createImportSystem({ path: [root], nodeFallback: false, ...options });
  const messages: string[] = [];
  system.addTracer((event) => {
    if (event.type === 'verbose') messages.push(event.message);
  });
  return { system, messages };
}

/** Import `name` from `root` through a new system. */
function load(
  root: string,
  name = 'm',
  options: CreateImportSystemOptions = {},
): { module: ModuleType; messages: string[]; system: ImportSystem } {
  const { system, messages } = open(root, options);
  const module = system.importModule(name) as ModuleType;
  return { module, messages, system };
}

/** A tree whose `m.ts` has been imported once, so its compiled file exists. */
function warmTree(options: CreateImportSystemOptions = {}): string {
  const root = freshTree();
  expect(load(root, 'm', options).module.result).toBe(42);
  return root;
}

/** Where `<root>/<file>` is compiled to (no prefix). */
function cachePath(root: string, file = 'm.ts'): string {
  return join(root, '__pycache__', `${file}.${MAGIC_TAG}.jsc`);
}

function readRecord(file: string): DecodedCompiled {
  return decodeCompiled(readFileSync(file), { name: null, path: file });
}

/** A copy of `bytes` with the bytes of [start, end) inverted. */
function flipped(bytes: Buffer, start: number, end = start + 1): Buffer {
  const copy = Buffer.from(bytes);
  for (let i = start; i < end; i++) copy[i] = (copy[i] as number) ^ 0xff;
  return copy;
}

/**
 * The V8 section of a compiled file (the last section), whichever process's runtime key it carries:
 * what is left after the header, the JS and the map (ASCII text is stored one byte a character).
 */
function v8Section(file: string): Buffer {
  const bytes = readFileSync(file);
  const record = readRecord(file);
  return bytes.subarray(HEADER_SIZE + Buffer.byteLength(record.js) + Buffer.byteLength(record.map ?? ''));
}

/** A copy of `bytes` with the flags word (a u32 at offset 4) changed by `change`. */
function withFlags(bytes: Buffer, change: (flags: number) => number): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt32LE(change(copy.readUInt32LE(4)) >>> 0, 4);
  return copy;
}

/**
 * Expect the compiled file of `<root>/<file>` to stand for the source as it is now, with V8 data
 * (usable by this process unless `v8: 'any runtime'`: a child process may have written it).
 */
function expectFreshTimestampFile(
  root: string,
  file = 'm.ts',
  v8: 'this runtime' | 'any runtime' = 'this runtime',
): void {
  const stat = statSync(join(root, file));
  const record = readRecord(cachePath(root, file));
  expect(record).toMatchObject({
    invalidation: 'timestamp',
    sourceMtimeMs: stat.mtimeMs,
    sourceSize: stat.size,
  });
  if (v8 === 'this runtime') {
    expect(record.v8Rejected).toBe(false);
    expect(record.v8).not.toBeNull();
  } else {
    expect(record.v8 !== null || record.v8Rejected).toBe(true);
  }
}

function created(file: string): string {
  return `# created '${file}'`;
}

function codeObjectFrom(file: string): string {
  return `# code object from '${file}'`;
}

// ---------------------------------------------------------------------------------------------

describe('the compiled file of a first import, used by the next one', () => {
  it('writes __pycache__/<file name>.<tag>.jsc after the first import ran the module', () => {
    const root = freshTree();
    const { module, messages } = load(root);
    expect(module.result).toBe(42);
    expect(readdirSync(join(root, '__pycache__'))).toEqual([`m.ts.${MAGIC_TAG}.jsc`]);
    expect(messages).toContain(created(cachePath(root)));
    expectFreshTimestampFile(root);
    // No map inside: a stack trace makes it from the source the first time it needs one.
    expect(readRecord(cachePath(root)).map).toBeNull();
  });

  it('serves a second system in the same process from that file, running the same code', () => {
    const root = freshTree();
    const cold = load(root).module;
    const before = readFileSync(cachePath(root));
    const { module: warm, messages } = load(root);
    expect(messages).toContain(codeObjectFrom(cachePath(root)));
    expect(messages.filter((m) => /created|stale|rebuilding/.test(m))).toEqual([]);
    expect(warm).not.toBe(cold);
    expect(warm.result).toBe(cold.result);
    expect((warm.greet as (n: string) => string)('cache')).toBe('hello cache');
    expect(readFileSync(cachePath(root)).equals(before)).toBe(true);
  });

  it('caches a module with top-level await as async and runs it warm through importModuleAsync', async () => {
    const root = tree({
      'tla.ts': 'const value: number = await Promise.resolve(7);\nexport const result = value;\n',
    });
    const cold = open(root);
    expect(((await cold.system.importModuleAsync('tla')) as ModuleType).result).toBe(7);
    expect(readRecord(cachePath(root, 'tla.ts')).isAsync).toBe(true);
    const warm = open(root);
    expect(((await warm.system.importModuleAsync('tla')) as ModuleType).result).toBe(7);
    expect(warm.messages).toContain(codeObjectFrom(cachePath(root, 'tla.ts')));
  });
});

describe('a stale compiled file (timestamp mode: _validate_timestamp_pyc, SourceLoader.get_code: recompile)', () => {
  it('is rebuilt and rewritten with the new mtime and size when the source grew', () => {
    const root = warmTree();
    writeFileSync(join(root, 'm.ts'), M_LONGER);
    const { module, messages } = load(root);
    expect(module.result).toBe(420);
    expect(messages).toContain("# bytecode is stale for 'm'");
    expect(messages).toContain(created(cachePath(root)));
    expectFreshTimestampFile(root);
  });

  it('is rebuilt when an edit keeps the size but gives the source a new mtime', () => {
    const root = warmTree();
    writeFileSync(join(root, 'm.ts'), M_SAME_SIZE);
    utimesSync(join(root, 'm.ts'), T2, T2);
    const { module, messages } = load(root);
    expect(module.result).toBe(48);
    expect(messages).toContain("# bytecode is stale for 'm'");
    expect(readRecord(cachePath(root))).toMatchObject({ sourceMtimeMs: T2.getTime(), sourceSize: M.length });
    expectFreshTimestampFile(root);
  });

  it('is rebuilt when only the mtime of the source changed (touched, same text)', () => {
    const root = warmTree();
    utimesSync(join(root, 'm.ts'), T2, T2);
    const { module, messages } = load(root);
    expect(module.result).toBe(42);
    expect(messages).toContain("# bytecode is stale for 'm'");
    expect(readRecord(cachePath(root)).sourceMtimeMs).toBe(T2.getTime());
  });

  it('is not noticed, by design, when an edit keeps both the mtime and the size (what the hash modes are for)', () => {
    const root = warmTree();
    writeFileSync(join(root, 'm.ts'), M_SAME_SIZE);
    utimesSync(join(root, 'm.ts'), T1, T1);
    const { module, messages } = load(root);
    expect(module.result).toBe(42);
    expect(messages).toContain(codeObjectFrom(cachePath(root)));
  });
});

describe('a corrupt compiled file beside its source (SourceLoader.get_code: recompile)', () => {
  /** [what is wrong, how to make it from a good file, what the trace says]. */
  const corruptions: [string, (good: Buffer) => Buffer, RegExp][] = [
    ['an empty file', () => Buffer.alloc(0), /empty file/],
    ['a file cut inside the magic number', (good) => good.subarray(0, 2), /truncated magic number/],
    ['a file cut inside the header', (good) => good.subarray(0, HEADER_SIZE - 1), /truncated header/],
    ['a bad magic number', (good) => flipped(good, 0), /bad magic number/],
    ['unknown flag bits', (good) => withFlags(good, (flags) => flags | 0b100_0000), /invalid flags/],
    [
      'the check-source flag without the hash-based flag',
      (good) => withFlags(good, (flags) => (flags & ~0b1) | 0b10),
      /invalid flags/,
    ],
    ['a body cut short', (good) => good.subarray(0, HEADER_SIZE + 10), /truncated body/],
    ['bytes after the end', (good) => Buffer.concat([good, Buffer.from('tail')]), /bytes after the end/],
    ['a flipped byte in the JS section', (good) => flipped(good, HEADER_SIZE + 3), /bad checksum/],
    ['text that is not a compiled file', () => Buffer.from('garbage, not a compiled file'), /bad magic/],
  ];

  it.each(corruptions)('with %s is rebuilt silently from source and rewritten', (_what, corrupt, reason) => {
    const root = warmTree();
    const file = cachePath(root);
    const bad = corrupt(readFileSync(file));
    writeFileSync(file, bad);
    expect(() => readRecord(file)).toThrow(CompiledCacheError);

    const { module, messages } = load(root);
    expect(module.result).toBe(42);
    const said = messages.find((m) => m.endsWith('; rebuilding from source'));
    expect(said).toMatch(reason);
    expect(said).toContain(`compiled file of 'm' (${file})`);
    expect(messages).toContain(created(file));
    expect(readFileSync(file).equals(bad)).toBe(false);
    expectFreshTimestampFile(root);
  });

  it('with a damaged V8 section drops the V8 data, runs the cached JS and rewrites the file', () => {
    const root = warmTree();
    const file = cachePath(root);
    const good = readFileSync(file);
    const v8Length = v8Section(file).length;
    expect(v8Length).toBeGreaterThan(32);
    // Inside V8's payload, past its own header, where V8 itself does not notice damage.
    const middle = good.length - v8Length + Math.floor(v8Length / 2);
    writeFileSync(file, flipped(good, middle, middle + 16));
    expect(readRecord(file)).toMatchObject({ v8: null, v8Rejected: true });

    const { module, messages } = load(root);
    expect(module.result).toBe(42);
    expect(messages).toContain(codeObjectFrom(file));
    expect(messages).toContain(created(file));
    expect(messages.some((m) => m.includes('rebuilding'))).toBe(false);
    expectFreshTimestampFile(root);
  });

  it('with V8 data stamped by another runtime keeps it from V8 and rewrites it with this runtime key', () => {
    const root = warmTree();
    const file = cachePath(root);
    const otherKey = Uint8Array.from(v8RuntimeKey(), (byte) => byte ^ 0x5a);
    writeFileSync(file, encodeCompiled(readRecord(file), { runtimeKey: otherKey }));
    expect(readRecord(file)).toMatchObject({ v8: null, v8Rejected: true });

    const { module, messages } = load(root);
    expect(module.result).toBe(42);
    expect(messages).toContain(codeObjectFrom(file));
    expect(messages).toContain(created(file));
    expectFreshTimestampFile(root);
  });
});

describe('hash-based compiled files (PEP 552: check_hash_based_pycs, SourceLoader.get_code: unchecked hash, _code_to_hash_pyc)', () => {
  /** Edit `m.ts` to other code of the same size and give it back its mtime: only a hash can tell. */
  function editKeepingStat(root: string): void {
    const source = join(root, 'm.ts');
    const before = statSync(source);
    writeFileSync(source, M_SAME_SIZE);
    utimesSync(source, T1, T1);
    const after = statSync(source);
    expect([after.mtimeMs, after.size]).toEqual([before.mtimeMs, before.size]);
  }

  it('checked-hash writes a file holding the hash of the source, with the check flag', () => {
    const root = warmTree({ cache: { invalidationMode: 'checked-hash' } });
    const record = readRecord(cachePath(root));
    expect(record.invalidation).toBe('checked-hash');
    expect(record.sourceHash).toEqual(sourceHash(readFileSync(join(root, 'm.ts'))));
  });

  it('checked-hash notices an edit that keeps the mtime and the size', () => {
    const options: CreateImportSystemOptions = { cache: { invalidationMode: 'checked-hash' } };
    const root = warmTree(options);
    editKeepingStat(root);
    const { module, messages } = load(root, 'm', options);
    expect(module.result).toBe(48);
    expect(messages).toContain("# bytecode is stale for 'm'");
  });

  it('unchecked-hash does not notice an edit: the compiled file is used as it is (SourceLoader.get_code: unchecked hash)', () => {
    const options: CreateImportSystemOptions = { cache: { invalidationMode: 'unchecked-hash' } };
    const root = warmTree(options);
    expect(readRecord(cachePath(root)).invalidation).toBe('unchecked-hash');
    const before = readFileSync(cachePath(root));
    writeFileSync(join(root, 'm.ts'), M_LONGER);
    const { module, messages } = load(root, 'm', options);
    expect(module.result).toBe(42);
    expect(messages).toContain(codeObjectFrom(cachePath(root)));
    expect(readFileSync(cachePath(root)).equals(before)).toBe(true);
  });

  it("unchecked-hash notices an edit under checkHashBased: 'always'", () => {
    const root = warmTree({ cache: { invalidationMode: 'unchecked-hash' } });
    writeFileSync(join(root, 'm.ts'), M_LONGER);
    const { module, messages } = load(root, 'm', {
      cache: { invalidationMode: 'unchecked-hash', checkHashBased: 'always' },
    });
    expect(module.result).toBe(420);
    expect(messages).toContain("# bytecode is stale for 'm'");
  });

  it("checked-hash is not checked under checkHashBased: 'never'", () => {
    const root = warmTree({ cache: { invalidationMode: 'checked-hash' } });
    writeFileSync(join(root, 'm.ts'), M_LONGER);
    const { module, messages } = load(root, 'm', {
      cache: { invalidationMode: 'checked-hash', checkHashBased: 'never' },
    });
    expect(module.result).toBe(42);
    expect(messages).toContain(codeObjectFrom(cachePath(root)));
  });

  it('a stale checked-hash file is rewritten hash-based with the check flag, even by a timestamp-mode system', () => {
    const root = warmTree({ cache: { invalidationMode: 'checked-hash' } });
    writeFileSync(join(root, 'm.ts'), M_LONGER);
    const { module, messages } = load(root); // invalidationMode: 'timestamp'
    expect(module.result).toBe(420);
    expect(messages).toContain(created(cachePath(root)));
    const record = readRecord(cachePath(root));
    expect(record.invalidation).toBe('checked-hash');
    expect(record.sourceHash).toEqual(sourceHash(Buffer.from(M_LONGER)));
  });

  it('a stale unchecked-hash file is rewritten hash-based without the check flag', () => {
    const root = warmTree({ cache: { invalidationMode: 'unchecked-hash' } });
    writeFileSync(join(root, 'm.ts'), M_LONGER);
    expect(load(root, 'm', { cache: { checkHashBased: 'always' } }).module.result).toBe(420);
    const record = readRecord(cachePath(root));
    expect(record.invalidation).toBe('unchecked-hash');
    expect(record.sourceHash).toEqual(sourceHash(Buffer.from(M_LONGER)));
  });
});

describe('turning the cache off, and folders where it cannot be written (sys.dont_write_bytecode, test_file_loader.test_read_only_bytecode)', () => {
  it('writes nothing under cache.write = false', () => {
    const root = freshTree();
    const { module, messages } = load(root, 'm', { cache: { write: false } });
    expect(module.result).toBe(42);
    expect(readdirSync(root)).toEqual(['m.ts']);
    expect(messages.some((m) => m.startsWith('# created') || m.startsWith('# could not write'))).toBe(false);
  });

  it('still reads an existing compiled file under cache.write = false', () => {
    const root = warmTree();
    const before = readFileSync(cachePath(root));
    const { module, messages } = load(root, 'm', { cache: { write: false } });
    expect(module.result).toBe(42);
    expect(messages).toContain(codeObjectFrom(cachePath(root)));
    expect(readFileSync(cachePath(root)).equals(before)).toBe(true);
  });

  it('leaves a stale compiled file as it is under cache.write = false', () => {
    const root = warmTree();
    const before = readFileSync(cachePath(root));
    writeFileSync(join(root, 'm.ts'), M_LONGER);
    const { module, messages } = load(root, 'm', { cache: { write: false } });
    expect(module.result).toBe(420);
    expect(messages).toContain("# bytecode is stale for 'm'");
    expect(readFileSync(cachePath(root)).equals(before)).toBe(true);
  });

  it('ignores an existing compiled file under cache.read = false', () => {
    const root = warmTree();
    // A well-formed, fresh file whose code is not the source's: only a reader of the cache runs it.
    const planted = { ...readRecord(cachePath(root)), js: 'exports.result = -1;', map: null, v8: null };
    writeFileSync(cachePath(root), encodeCompiled(planted));
    expect(load(root).module.result).toBe(-1);

    const { module, messages } = load(root, 'm', { cache: { read: false } });
    expect(module.result).toBe(42);
    expect(messages.some((m) => m.startsWith('# code object from'))).toBe(false);
  });

  it('imports from a read-only source folder with no cache, tracing that it could not write', () => {
    const root = freshTree();
    chmodSync(root, 0o555);
    try {
      // Root ignores the folder's mode: then make the cache folder a file, which nobody can write into.
      let pycacheIsAFile = false;
      try {
        writeFileSync(join(root, 'probe'), '');
        unlinkSync(join(root, 'probe'));
        writeFileSync(join(root, '__pycache__'), 'not a folder');
        pycacheIsAFile = true;
      } catch {
        // The mode holds: the folder really is read-only.
      }
      const { module, messages } = load(root);
      expect(module.result).toBe(42);
      expect(messages.some((m) => m.startsWith(`# could not write '${cachePath(root)}'`))).toBe(true);
      expect(messages.some((m) => m.startsWith('# created'))).toBe(false);
      expect(readdirSync(root).sort()).toEqual(pycacheIsAFile ? ['__pycache__', 'm.ts'] : ['m.ts']);
      // And again: no cache to read, the import still works.
      expect(load(root).module.result).toBe(42);
    } finally {
      chmodSync(root, 0o755);
    }
  });
});

describe('the permissions of a compiled file (_write_atomic)', () => {
  /** The permission bits of the compiled file of `m.ts` made from a source with `sourceMode`. */
  function compiledMode(sourceMode: number): number {
    const root = freshTree();
    chmodSync(join(root, 'm.ts'), sourceMode);
    expect(load(root).module.result).toBe(42);
    return statSync(cachePath(root)).mode & 0o777;
  }

  it("gives a private source's compiled file no access for the group or others", () => {
    expect(compiledMode(0o600) & 0o077).toBe(0);
  });

  it("gives the compiled file the source's permissions plus owner-write, never more", () => {
    const mode = compiledMode(0o440);
    expect(mode & 0o200).toBe(0o200);
    expect(mode & ~(0o440 | 0o200)).toBe(0);
  });
});

describe('cache.prefix (sys.pycache_prefix, cache_from_source)', () => {
  it('writes the compiled file under the prefix, mirroring the absolute source folder, and nothing beside the source', () => {
    const root = freshTree();
    const prefix = mkdtempSync(join(work.path, 'prefix-'));
    const { module, messages } = load(root, 'm', { cache: { prefix } });
    expect(module.result).toBe(42);
    const expected = join(prefix, root.slice(parse(root).root.length), `m.ts.${MAGIC_TAG}.jsc`);
    expect(messages).toContain(created(expected));
    expect(existsSync(expected)).toBe(true);
    expect(readdirSync(root)).toEqual(['m.ts']);
  });

  it('reads the compiled file back from under the prefix', () => {
    const root = freshTree();
    const prefix = mkdtempSync(join(work.path, 'prefix-'));
    load(root, 'm', { cache: { prefix } });
    const { module, messages } = load(root, 'm', { cache: { prefix } });
    expect(module.result).toBe(42);
    expect(messages).toContain(codeObjectFrom(cacheFromSource(join(root, 'm.ts'), { prefix })));
  });
});

describe('compiled-only modules: the sourceless loader (SourcelessFileLoader)', () => {
  /** A folder holding only `m.jsc`, a copy of the compiled file of `m.ts`. */
  function shipped(): string {
    const dir = tree({}, 'shipped-');
    copyFileSync(cachePath(warmTree()), join(dir, 'm.jsc'));
    return dir;
  }

  it('imports <stem>.jsc with no source beside it, with __file__ the compiled file', () => {
    const dir = shipped();
    const { module, messages } = load(dir);
    expect(module.result).toBe(42);
    expect((module.greet as (n: string) => string)('jsc')).toBe('hello jsc');
    expect(module.__file__).toBe(join(dir, 'm.jsc'));
    expect(module.__loader__).toBeInstanceOf(SourcelessFileLoader);
    expect(messages).toContain(codeObjectFrom(join(dir, 'm.jsc')));
  });

  it('writes nothing for a compiled-only module, and has no source to give', () => {
    const dir = shipped();
    const { module } = load(dir);
    expect(readdirSync(dir)).toEqual(['m.jsc']);
    expect((module.__loader__ as SourcelessFileLoader).getSource()).toBeNull();
  });

  it('refuses a corrupt compiled-only file with a CompiledCacheError naming the module and the file', () => {
    const dir = shipped();
    const file = join(dir, 'm.jsc');
    writeFileSync(file, flipped(readFileSync(file), HEADER_SIZE + 3));
    const { system } = open(dir);
    let error: unknown;
    try {
      system.importModule('m');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CompiledCacheError);
    expect(error).toBeInstanceOf(ImportError);
    expect(error).toMatchObject({ code: 'ERR_IMPORTLIB_BAD_COMPILED', moduleName: 'm', path: file });
    expect((error as Error).message).toContain("'m'");
    expect((error as Error).message).toContain(file);
    expect(system.modules.has('m')).toBe(false);
  });
});

describe('source maps through the cache', () => {
  /** The stack of what `fn` throws. */
  function stackOf(fn: () => unknown): string {
    try {
      fn();
    } catch (error) {
      return String((error as Error).stack);
    }
    throw new Error('nothing was thrown');
  }

  it('points an error thrown by a .tsx module loaded warm at its .tsx line', () => {
    const lines = [
      'const React = {',
      '  createElement: (tag: string, props: object | null, ...children: unknown[]) => ({ tag, props, children }),',
      '};',
      'interface Props {',
      '  label: string;',
      '}',
      'export function view(props: Props) {',
      '  return (',
      '    <div class="box">',
      '      <b>{props.label}</b>',
      '    </div>',
      '  );',
      '}',
      'export function explode(): never {',
      "  throw new Error('boom from tsx');", // line 15
      '}',
      '',
    ];
    const root = tree({ 'widget.tsx': lines.join('\n') });
    const file = join(root, 'widget.tsx');
    const options: CreateImportSystemOptions = { transpile: { jsx: 'classic' } };
    load(root, 'widget', options);
    unregisterSourceMap(file); // as in a new process: only the warm import may map it

    const { module, messages } = load(root, 'widget', options);
    expect(messages).toContain(codeObjectFrom(cachePath(root, 'widget.tsx')));
    expect((module.view as (p: { label: string }) => unknown)({ label: 'x' })).toMatchObject({ tag: 'div' });
    expect(stackOf(module.explode as () => never)).toContain(`${file}:15:`);
  });

  it('never maps frames through a source edited after the import (its map would point at other lines)', () => {
    const lines = ['export function explode(): never {', "  throw new Error('boom');", '}', ''];
    const root = tree({ 'm.ts': lines.join('\n') });
    const file = join(root, 'm.ts');
    const { module } = load(root);
    // Three lines more above: mapped through the edited source, the throw would read as line 5.
    writeFileSync(file, ['// a', '// b', '// c', ...lines].join('\n'));
    utimesSync(file, T2, T2);
    const stack = stackOf(module.explode as () => never);
    expect(stack).toContain(file);
    expect(stack).not.toContain(`${file}:5:`);
  });

  it('points an error thrown by a .js ES module loaded warm at its .js line', () => {
    const root = tree({
      'helper.js': 'export const twice = (n) => n * 2;\n',
      'app.js': [
        "import { twice } from './helper.js';",
        '',
        'export class Counter {',
        '  #n = 0;',
        '  bump() {',
        '    this.#n = twice(this.#n + 1);',
        '    return this.#n;',
        '  }',
        '}',
        '',
        'export function explode() {',
        "  throw new Error('boom from js');", // line 12
        '}',
        '',
      ].join('\n'),
    });
    const file = join(root, 'app.js');
    load(root, 'app');
    unregisterSourceMap(file);

    const { module, messages } = load(root, 'app');
    expect(messages).toContain(codeObjectFrom(cachePath(root, 'app.js')));
    expect(new (module.Counter as new () => { bump(): number })().bump()).toBe(2);
    expect(stackOf(module.explode as () => never)).toContain(`${file}:12:`);
  });
});

describe('the compiled file of a module: spec.cached, __cached__, getCached', () => {
  it('is the path of the compiled file', () => {
    const root = freshTree();
    const { module } = load(root);
    const spec = module.__spec__;
    expect(spec?.cached).toBe(cachePath(root));
    expect(module.__cached__).toBe(cachePath(root));
    expect(spec?.loader?.getCached?.(join(root, 'm.ts'))).toBe(cachePath(root));
  });

  it('is under the prefix with cache.prefix', () => {
    const root = freshTree();
    const prefix = mkdtempSync(join(work.path, 'prefix-'));
    const { module } = load(root, 'm', { cache: { prefix } });
    expect(module.__cached__).toBe(cacheFromSource(join(root, 'm.ts'), { prefix }));
  });

  it('is still given when the cache is only read', () => {
    const root = freshTree();
    expect(load(root, 'm', { cache: { write: false } }).module.__cached__).toBe(cachePath(root));
  });

  it('is null, and __cached__ absent, when the cache is neither read nor written', () => {
    const root = freshTree();
    const { module } = load(root, 'm', { cache: { read: false, write: false } });
    expect(module.result).toBe(42);
    expect(module.__spec__?.cached).toBeNull();
    expect(module.__cached__).toBeUndefined();
    expect(readdirSync(root)).toEqual(['m.ts']);
  });

  it('is the compiled file itself for a compiled-only module', () => {
    const dir = tree({}, 'shipped-');
    copyFileSync(cachePath(warmTree()), join(dir, 'm.jsc'));
    const { module } = load(dir);
    expect(module.__spec__?.cached).toBe(join(dir, 'm.jsc'));
    expect(module.__cached__).toBe(join(dir, 'm.jsc'));
  });
});

// ---------------------------------------------------------------------------------------------
// Fresh processes: V8's own code cache is only really used (or refused) by a process that has not
// compiled the code already, so these run `test/compiled-cache/import-child.mjs` in new Node processes,
// importing the workspace's TypeScript sources through the loaders' test hooks (no build needed).

const registerUrl = pathToFileURL(
  fileURLToPath(new URL('../../loaders/test/compiled-cache/register.mjs', import.meta.url)),
).href;
const childScript = fileURLToPath(new URL('./compiled-cache/import-child.mjs', import.meta.url));
/** No child may hang a test run: it is killed after this long. */
const CHILD_TIMEOUT_MS = 60_000;
const PROCESS_TEST = { timeout: 120_000 };

interface ChildConfig {
  path: string[];
  module: string;
  cacheFile?: string;
  wait?: boolean;
}

interface ChildReport {
  result: unknown;
  messages: string[];
  runtimeKey: string;
  /** What decoding `cacheFile` said before the import. */
  before: { v8Rejected: boolean; hasV8: boolean } | { error: string } | null;
}

function childArgs(config: ChildConfig, nodeFlags: readonly string[]): string[] {
  return [
    ...nodeFlags,
    '--conditions=@importlib/source',
    '--import',
    registerUrl,
    childScript,
    JSON.stringify(config),
  ];
}

function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['NODE_OPTIONS']; // V8 options in it would change the runtime key
  return env;
}

/** Run one child to its end. */
function runChild(config: ChildConfig, nodeFlags: readonly string[] = []): ChildReport {
  const out = spawnSync(process.execPath, childArgs(config, nodeFlags), {
    env: childEnv(),
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (out.status !== 0) {
    throw new Error(
      `the child exited with ${out.status ?? out.signal}:\n${out.stderr}${String(out.error ?? '')}`,
    );
  }
  return JSON.parse(out.stdout) as ChildReport;
}

/** Start `count` children, let them all import at once, and collect their reports. */
async function runTogether(count: number, config: ChildConfig): Promise<ChildReport[]> {
  const children: ChildProcessWithoutNullStreams[] = [];
  const reports = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, childArgs({ ...config, wait: true }, []), {
      env: childEnv(),
      timeout: CHILD_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    children.push(child);
    let out = '';
    let err = '';
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.startsWith('ready\n')) resolve();
      });
      child.on('close', () => reject(new Error(`a child exited before it was ready:\n${err}`)));
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const done = new Promise<ChildReport>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (code !== 0) reject(new Error(`a child exited with ${code ?? signal}:\n${err}`));
        else resolve(JSON.parse(out.slice('ready\n'.length)) as ChildReport);
      });
    });
    done.catch(() => undefined); // awaited below; a child that never got ready is reported by `ready`
    return { ready, done };
  });
  try {
    await Promise.all(reports.map((r) => r.ready));
    for (const child of children) child.stdin.end('go\n');
    return await Promise.all(reports.map((r) => r.done));
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

describe('in fresh processes', () => {
  /** A tree with `m.ts`, the config a child imports it with, and its compiled file. */
  function processTree(): { config: ChildConfig; file: string } {
    const root = freshTree();
    return { config: { path: [root], module: 'm', cacheFile: cachePath(root) }, file: cachePath(root) };
  }

  it(
    'a fresh process uses the V8 data another process with the same V8 flags wrote, and rewrites nothing',
    PROCESS_TEST,
    () => {
      const { config, file } = processTree();
      const first = runChild(config);
      expect(first.result).toBe(42);
      expect(first.messages).toContain(created(file));

      const second = runChild(config);
      expect(second.result).toBe(42);
      expect(second.before).toEqual({ v8Rejected: false, hasV8: true });
      expect(second.messages).toContain(codeObjectFrom(file));
      // The loader rewrites when V8 refuses the data it was given: nothing written means V8 took it.
      expect(second.messages.filter((m) => m.startsWith('# created'))).toEqual([]);
    },
  );

  it("Node's own options do not change the runtime key: the V8 data is kept", PROCESS_TEST, () => {
    const { config, file } = processTree();
    runChild(config);
    const other = runChild(config, ['--no-warnings', '--no-deprecation']);
    expect(other.result).toBe(42);
    expect(other.before).toEqual({ v8Rejected: false, hasV8: true });
    expect(other.messages).not.toContain(created(file));
  });

  it(
    'a process with other V8 flags drops the V8 data, runs correctly and rewrites the file for itself',
    PROCESS_TEST,
    () => {
      const { config, file } = processTree();
      const first = runChild(config);
      const lazy = runChild(config, ['--max-lazy']);
      expect(lazy.runtimeKey).not.toBe(first.runtimeKey);
      expect(lazy.before).toEqual({ v8Rejected: true, hasV8: false });
      expect(lazy.result).toBe(42);
      expect(lazy.messages).toContain(codeObjectFrom(file));
      expect(lazy.messages).toContain(created(file));

      const lazyAgain = runChild(config, ['--max-lazy']);
      expect(lazyAgain.before).toEqual({ v8Rejected: false, hasV8: true });
      expect(lazyAgain.messages).not.toContain(created(file));
    },
  );

  it(
    'a process with the original flags works again after one with other V8 flags rewrote the file',
    PROCESS_TEST,
    () => {
      const { config, file } = processTree();
      runChild(config);
      runChild(config, ['--no-opt']);
      const back = runChild(config);
      expect(back.before).toEqual({ v8Rejected: true, hasV8: false });
      expect(back.result).toBe(42);
      expect(back.messages).toContain(created(file));

      const settled = runChild(config);
      expect(settled.before).toEqual({ v8Rejected: false, hasV8: true });
      expect(settled.result).toBe(42);
      expect(settled.messages).not.toContain(created(file));
    },
  );

  it(
    'a fresh process given a damaged V8 section neither aborts nor hands it to V8: it runs and rewrites the file',
    PROCESS_TEST,
    () => {
      const { config, file } = processTree();
      runChild(config);
      const good = readFileSync(file);
      const v8Length = v8Section(file).length;
      expect(v8Length).toBeGreaterThan(64);
      // Inside V8's payload, past its own header: handed to V8, these bytes abort the process
      // (`Fatal error … unreachable code`, SIGTRAP), so only the loader's checksum stands between.
      const middle = good.length - v8Length + Math.floor(v8Length / 2);
      writeFileSync(file, flipped(good, middle, middle + 64));

      const damaged = runChild(config);
      expect(damaged.before).toEqual({ v8Rejected: true, hasV8: false });
      expect(damaged.result).toBe(42);
      expect(damaged.messages).toContain(created(file));
      expect(runChild(config).before).toEqual({ v8Rejected: false, hasV8: true });
    },
  );

  it(
    'V8 data that V8 itself refuses (made for other code) is not used, and the file is rewritten',
    PROCESS_TEST,
    () => {
      const root = tree({ 'm.ts': M, 'other.ts': 'export const result = [1, 2, 3].map((n) => n * 2);\n' });
      const config: ChildConfig = { path: [root], module: 'm', cacheFile: cachePath(root) };
      const first = runChild(config);
      expect(runChild({ path: [root], module: 'other' }).result).toEqual([2, 4, 6]);
      // m's file with other's V8 data: the right runtime key and a good checksum, so only V8 can tell.
      const otherV8 = v8Section(cachePath(root, 'other.ts'));
      expect(otherV8.length).toBeGreaterThan(0);
      const planted = { ...readRecord(cachePath(root)), v8: otherV8 };
      writeFileSync(
        cachePath(root),
        encodeCompiled(planted, { runtimeKey: Buffer.from(first.runtimeKey, 'hex') }),
      );

      const refused = runChild(config);
      expect(refused.before).toEqual({ v8Rejected: false, hasV8: true });
      expect(refused.result).toBe(42);
      expect(refused.messages).toContain(codeObjectFrom(cachePath(root)));
      expect(refused.messages).toContain(created(cachePath(root)));
      expect(runChild(config).messages).not.toContain(created(cachePath(root)));
    },
  );

  it(
    'processes compiling the same tree at the same time never leave a torn or unreadable compiled file',
    PROCESS_TEST,
    async () => {
      const modules = 6;
      /** A module big enough that writing its compiled file takes a while. */
      const moduleText = (k: number, bonus: number): string => {
        const lines = [`// module ${k}, bonus ${bonus}`];
        for (let i = 0; i < 600; i++) {
          lines.push(`export function f${i}(x: number): number { return x * ${i} + ${k}; }`);
        }
        lines.push(`export const value: number = f${k}(2) + ${bonus};`);
        return lines.join('\n') + '\n';
      };
      const mainText = (): string =>
        Array.from({ length: modules }, (_, k) => `import { value as v${k} } from './mod${k}';`).join('\n') +
        `\nexport const result = [${Array.from({ length: modules }, (_, k) => `v${k}`).join(', ')}];\n`;
      const writeSources = (root: string, bonus: number): void => {
        for (let k = 0; k < modules; k++) writeFileSync(join(root, `mod${k}.ts`), moduleText(k, bonus));
      };
      const expected = (bonus: number): number[] => Array.from({ length: modules }, (_, k) => 3 * k + bonus);
      const sources = ['main.ts', ...Array.from({ length: modules }, (_, k) => `mod${k}.ts`)];

      const root = tree({ 'main.ts': mainText() });
      const config: ChildConfig = { path: [root], module: 'main' };
      const checkFiles = (): void => {
        expect(readdirSync(join(root, '__pycache__')).sort()).toEqual(
          sources.map((s) => `${s}.${MAGIC_TAG}.jsc`).sort(),
        );
        // The parent's runtime key may differ from the children's (NODE_OPTIONS is not passed on).
        for (const source of sources) expectFreshTimestampFile(root, source, 'any runtime');
      };
      /** What the children said about unreadable files: a torn file would show up here. */
      const rebuilt = (reports: ChildReport[]): string[] =>
        reports.flatMap((r) => r.messages.filter((m) => m.endsWith('rebuilding from source')));

      // Round 1: nothing compiled yet; every child compiles every file and writes it, while the
      // others may be reading it.
      writeSources(root, 1);
      const first = await runTogether(4, config);
      for (const report of first) expect(report.result).toEqual(expected(1));
      expect(rebuilt(first)).toEqual([]);
      checkFiles();

      // Rounds 2 and 3: every source edited (another size): every file is stale for every child.
      for (const bonus of [100, 1000]) {
        writeSources(root, bonus);
        const edited = await runTogether(4, config);
        for (const report of edited) expect(report.result).toEqual(expected(bonus));
        expect(rebuilt(edited)).toEqual([]);
        checkFiles();
      }

      // Round 4: every compiled file cut to 100 bytes: children rebuild them, and the only unreadable
      // files they meet are those 100-byte ones.
      for (const source of sources) {
        const file = cachePath(root, source);
        writeFileSync(file, readFileSync(file).subarray(0, 100));
      }
      const cut = await runTogether(4, config);
      for (const report of cut) expect(report.result).toEqual(expected(1000));
      expect(rebuilt(cut).length).toBeGreaterThanOrEqual(sources.length);
      expect(rebuilt(cut).filter((m) => !/truncated body \(100 of \d+ bytes\)/.test(m))).toEqual([]);
      checkFiles();

      // Afterwards a new process is served entirely from the cache, V8 data included.
      const after = runChild(config);
      expect(after.result).toEqual(expected(1000));
      expect(after.messages.filter((m) => m.startsWith('# code object from')).sort()).toEqual(
        sources.map((s) => codeObjectFrom(cachePath(root, s))).sort(),
      );
      expect(after.messages.filter((m) => /created|stale|rebuilding|could not/.test(m))).toEqual([]);
    },
  );
});
