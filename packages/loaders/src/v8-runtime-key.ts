/**
 * The V8 runtime key: 16 bytes that say which runtime made a V8 code cache (Node and V8 versions,
 * architecture, and the V8 options among `execArgv` and `NODE_OPTIONS`). A compiled file or a frozen
 * bundle stores the key of the process that made its V8 code cache, and its reader hands those bytes
 * to V8 only in a process with the same key. Includes the parser of `NODE_OPTIONS` that finds the V8
 * options.
 */
import { createHash } from 'node:crypto';

/** The size of a runtime key in bytes. */
export const RUNTIME_KEY_SIZE = 16;

/**
 * V8 options that Node also accepts in `NODE_OPTIONS` (`process.allowedNodeEnvironmentFlags` lists
 * them together with Node's own options). Every other option it lists is Node's.
 */
const V8_OPTIONS_ALLOWED_IN_NODE_OPTIONS = new Set([
  '--abort-on-uncaught-exception',
  '--disallow-code-generation-from-strings',
  '--enable-etw-stack-walking',
  '--expose-gc',
  '--huge-max-old-generation-size',
  '--interpreted-frames-native-stack',
  '--jitless',
  '--max-old-space-size',
  '--max-semi-space-size',
  '--perf-basic-prof',
  '--perf-basic-prof-only-functions',
  '--perf-prof',
  '--perf-prof-unwinding-info',
  '--stack-trace-limit',
]);

/** Node options that are refused in `NODE_OPTIONS`, so missing from `allowedNodeEnvironmentFlags`. */
const NODE_ONLY_OPTIONS = new Set([
  '-e',
  '--eval',
  '-p',
  '--print',
  '-c',
  '--check',
  '-i',
  '--interactive',
  '-h',
  '--help',
  '-v',
  '--version',
  '--v8-options',
  '--completion-bash',
  '--run',
  '--experimental-sea-config',
  '--experimental-network-inspection',
  '--tls-max-v1.2',
  '--tls-max-v1.3',
  '--tls-min-v1.0',
  '--tls-min-v1.1',
  '--tls-min-v1.2',
  '--tls-min-v1.3',
]);
const NODE_ONLY_PREFIXES = [
  '--test',
  '--experimental-test',
  '--env-file',
  '--cpu-prof',
  '--build-snapshot',
  '--watch',
];

/** `--max_old_space_size=100` → `--max-old-space-size`. */
function optionName(token: string): string {
  const eq = token.indexOf('=');
  const name = eq === -1 ? token : token.slice(0, eq);
  return name.startsWith('--') ? '--' + name.slice(2).replaceAll('_', '-') : name;
}

function isV8Option(name: string, nodeOptions: ReadonlySet<string>): boolean {
  if (V8_OPTIONS_ALLOWED_IN_NODE_OPTIONS.has(name)) return true;
  if (NODE_ONLY_OPTIONS.has(name) || NODE_ONLY_PREFIXES.some((p) => name.startsWith(p))) return false;
  // `--no-foo` is Node's if `--foo` is.
  const positive = name.startsWith('--no-') ? '--' + name.slice(5) : name;
  return !nodeOptions.has(name) && !nodeOptions.has(positive);
}

/**
 * The V8 options among command-line tokens (`process.execArgv`, or `NODE_OPTIONS` split into
 * tokens): Node passes every option it does not know itself to V8. A token that does not start with
 * `-` is the value of the option before it and goes with it.
 */
export function v8OptionsIn(
  tokens: readonly string[],
  nodeOptions: ReadonlySet<string> = process.allowedNodeEnvironmentFlags,
): string[] {
  const kept: string[] = [];
  let keeping = false;
  for (const token of tokens) {
    if (token.startsWith('-') && token !== '-' && token !== '--') {
      keeping = isV8Option(optionName(token), nodeOptions);
    }
    if (keeping) kept.push(token);
  }
  return kept;
}

/** Split `NODE_OPTIONS` as Node does: on white space, with double quotes and `\` escapes inside them. */
export function splitNodeOptions(value: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (quoted) {
      if (ch === '\\' && i + 1 < value.length) {
        current += value[++i];
      } else if (ch === '"') {
        quoted = false;
      } else {
        current += ch;
      }
    } else if (ch === '"') {
      quoted = true;
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (inToken) tokens.push(current);
  return tokens;
}

/** What {@link runtimeKeyFor} hashes. */
export interface RuntimeDescription {
  /** `process.version`. */
  nodeVersion: string;
  /** `process.versions.v8`. */
  v8Version: string;
  /** `process.arch`. */
  arch: string;
  /** `process.execArgv`. */
  execArgv: readonly string[];
  /** `process.env.NODE_OPTIONS`. */
  nodeOptions: string | undefined;
}

/**
 * The 16-byte runtime key of a described runtime: SHA-256 (truncated) of the Node and V8 versions,
 * the architecture and the V8 options among `execArgv` and `NODE_OPTIONS`. Node's own options
 * (`--import`, `--conditions`, `--inspect`, …) are left out: they do not change compiled code, and
 * counting them would make two ways of starting the same app overwrite each other's caches.
 */
export function runtimeKeyFor(runtime: RuntimeDescription): Uint8Array {
  const description = JSON.stringify([
    'importlib-v8-runtime',
    runtime.nodeVersion,
    runtime.v8Version,
    runtime.arch,
    v8OptionsIn(runtime.execArgv),
    v8OptionsIn(splitNodeOptions(runtime.nodeOptions ?? '')),
  ]);
  const digest = createHash('sha256').update(description).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, RUNTIME_KEY_SIZE).slice();
}

let runtimeKey: Uint8Array | undefined;
// Node reads NODE_OPTIONS once, at start-up: a later change to process.env does not change V8.
const startupNodeOptions = process.env['NODE_OPTIONS'];

/** @internal This process's runtime key, not copied: for the format's encoder and decoder. */
export function currentRuntimeKey(): Uint8Array {
  runtimeKey ??= runtimeKeyFor({
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    arch: process.arch,
    execArgv: process.execArgv,
    nodeOptions: startupNodeOptions,
  });
  return runtimeKey;
}

/**
 * The V8 runtime key of this process (computed once: V8's options are fixed at start-up). V8 code
 * caches are stored with the key of the process that made them and used only by processes with the
 * same key. A copy.
 */
export function v8RuntimeKey(): Uint8Array {
  return currentRuntimeKey().slice();
}
