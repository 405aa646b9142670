// The table of the suite: one entry per package, what to import and what to call on it.
//
// Every call is a function of the imported value (and a context); it runs once under plain Node (in
// a child process, lib/node-baseline.mjs) and once on the value importlib gave, and the two
// JSON-comparable results must be equal. Versions come from deps/package.json (exact pins).
//
// Fields:
//   pkg        the npm name (its version is the pin in deps/package.json; fixtures are local)
//   kind       'cjs' (CommonJS for Node), 'esm' (ES modules only), 'dual' (an `exports` map with
//              `import` and `require` builds, or a `node` build used by both)
//   items      the patterns of issue #11 this package exercises (item numbers)
//   calls      { label: (value, ctx) => JSON-comparable result (or a promise of one) }
//   subs       submodules: { name (dotted, importlib), node (specifier, Node) or file (path under
//              node_modules, for files the `exports` map hides: only the path ways import those),
//              esmNode (the specifier a project .mjs file uses, when ESM needs the exact file), calls }
//   sync       false for packages with top-level await: only the async ways apply, and the `tla`
//              way checks that a synchronous import refuses (tlaCounter: the global its body
//              increments, to see whether the body ran)
//   importAttributes  of the project .mjs file's import (`{ type: 'json' }` for a JSON main)
//   esmImport  how a project .mjs file imports it: 'default' (the CommonJS value) or 'namespace';
//              default: 'default' for kind 'cjs', else 'namespace'
//   ts         TypeScript sources: { name } of the entry under the package folder on `path`
//              (rxjs: 'src' is src/index.ts), compared with Node loading the compiled build
//   hostile    also imported with an enumerable property on Object.prototype
//   builtin    a Node built-in module by its bare name (no package of that name is installed)
//   fixture    a local package of fixtures/ (not from the registry), for patterns no published
//              package shows without side effects

/** The callable a module gives: itself when it is a function, else its `default`. */
const fn = (m) => (typeof m === 'function' ? m : m.default);

/** Run `client(baseUrl)` against a Node `http` server on a free port, then close the server. */
async function withServer(handler, client) {
  const http = await import('node:http');
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await client(`http://127.0.0.1:${server.address().port}`);
  } finally {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Serve one request with `handler` and return what the client saw. */
function serve(handler, { method = 'GET', path = '/', body, headers = {} } = {}) {
  return withServer(handler, async (base) => {
    const response = await fetch(base + path, { method, body, headers });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: await response.text(),
    };
  });
}

/** A request handler that runs a body-parsing middleware and answers with the parsed body. */
const echoBody = (middleware) => (req, res) =>
  middleware(req, res, (error) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(error ? { error: error.message } : req.body));
  });

/** Collect what a synchronous rxjs observable emits. */
function collect(observable) {
  const out = [];
  observable.subscribe({ next: (v) => out.push(v), complete: () => out.push('|') });
  return out;
}

/** @type {Array<Record<string, any>>} */
export const specs = [
  // ---------------------------------------------------------------- CommonJS
  {
    pkg: 'lodash',
    kind: 'cjs',
    items: [1, 7, 15],
    calls: {
      chunk: (m) => m.chunk([1, 2, 3, 4, 5], 2),
      version: (m) => m.VERSION,
      template: (m) => m.template('hi <%= who %>')({ who: 'you' }),
    },
    subs: [
      {
        name: 'lodash.debounce',
        node: 'lodash/debounce',
        esmNode: 'lodash/debounce.js',
        calls: { type: (d) => typeof d, length: (d) => d.length },
      },
      // lodash/fp.js sits beside the folder lodash/fp/
      {
        name: 'lodash.fp',
        node: 'lodash/fp',
        esmNode: 'lodash/fp.js',
        calls: { map: (fp) => fp.map((x) => x * 2)([1, 2]) },
      },
    ],
    hostile: true,
  },
  {
    pkg: 'express',
    kind: 'cjs',
    items: [1, 4],
    calls: {
      // send's own node_modules/mime@1 (top level has mime@3, which has no `lookup`)
      nestedMime: (m) => m.static.mime.lookup('page.html'),
      request: (m) => {
        const app = m();
        app.get('/q', (req, res) => res.json({ query: req.query, ip: typeof req.ip }));
        return serve(app, { path: '/q?a[b]=1&c=2' });
      },
      router: (m) => typeof m.Router().use,
    },
  },
  {
    pkg: 'body-parser',
    kind: 'cjs',
    items: [1, 4],
    calls: {
      // each parser is a getter that requires its file on first use, long after the index ran
      json: (m) =>
        serve(echoBody(m.json()), {
          method: 'POST',
          body: '{"a":[1,2]}',
          headers: { 'content-type': 'application/json' },
        }),
      urlencoded: (m) =>
        serve(echoBody(m.urlencoded({ extended: true })), {
          method: 'POST',
          body: 'a[b]=1&c=%C3%A9',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      text: (m) => typeof m.text(),
    },
  },
  {
    pkg: 'semver',
    kind: 'cjs',
    items: [2, 15],
    calls: {
      satisfies: (m) => m.satisfies('1.2.3', '^1.0.0'),
      inc: (m) => m.inc('1.2.3', 'minor'),
      sort: (m) => m.sort(['1.10.0', '1.2.0', '1.9.9']),
    },
    subs: [
      {
        name: 'semver.functions.satisfies',
        node: 'semver/functions/satisfies',
        esmNode: 'semver/functions/satisfies.js',
        calls: { call: (f) => f('2.0.0', '<2') },
      },
      {
        name: 'semver.classes.range',
        node: 'semver/classes/range',
        esmNode: 'semver/classes/range.js',
        calls: { range: (R) => new R('1.x').range },
      },
    ],
    hostile: true,
  },
  {
    pkg: 'qs',
    kind: 'cjs',
    items: [],
    calls: { parse: (m) => m.parse('a[b][c]=1&d=2'), stringify: (m) => m.stringify({ a: { b: [1, 2] } }) },
  },
  {
    pkg: 'debug',
    kind: 'cjs',
    items: [1],
    calls: {
      instance: (m) => typeof m('npm-compat'),
      enabled: (m) => m('npm-compat').enabled,
      humanize: (m) => m.humanize(1500),
    },
  },
  {
    pkg: 'ms',
    kind: 'cjs',
    items: [1],
    calls: { parse: (m) => m('2h'), format: (m) => m(60000, { long: true }) },
  },
  {
    pkg: 'commander',
    kind: 'dual',
    items: [4],
    calls: {
      parse: (m) => {
        const program = new m.Command().option('-n, --name <n>').exitOverride();
        program.parse(['node', 'x', '--name', 'y']);
        return program.opts();
      },
    },
  },
  { pkg: 'minimist', kind: 'cjs', items: [1], calls: { parse: (m) => m(['-a', '1', '--b', 'x', 'rest']) } },
  {
    pkg: 'js-yaml',
    kind: 'dual',
    items: [7, 15],
    calls: { load: (m) => m.load('a: [1, 2]\nb: {c: d}'), dump: (m) => m.dump({ a: [1, 2] }) },
    hostile: true,
  },
  {
    pkg: 'moment',
    kind: 'cjs',
    items: [1],
    calls: { format: (m) => m.utc('2020-01-02T03:04:05Z').format('YYYY-MM-DD HH:mm') },
    subs: [
      {
        name: 'moment.locale.fr',
        node: 'moment/locale/fr',
        esmNode: 'moment/locale/fr.js',
        calls: { month: (_fr, { main }) => main.utc('2020-03-01').locale('fr').format('MMMM') },
      },
    ],
  },
  {
    pkg: 'dayjs',
    kind: 'cjs',
    items: [1],
    calls: { add: (m) => m('2020-01-31T00:00:00Z').add(1, 'month').toISOString() },
    subs: [
      {
        name: 'dayjs.plugin.utc',
        node: 'dayjs/plugin/utc',
        esmNode: 'dayjs/plugin/utc.js',
        calls: {
          utc: (utc, { main }) => {
            main.extend(utc);
            return main.utc('2020-01-02T03:04:05Z').format('YYYY-MM-DD HH:mm');
          },
        },
      },
    ],
  },
  {
    pkg: 'classnames',
    kind: 'cjs',
    items: [1],
    calls: { call: (m) => m('a', { b: true, c: false }, ['d']) },
  },
  {
    pkg: 'mime',
    kind: 'cjs',
    items: [4],
    calls: { getType: (m) => m.getType('a.json'), ext: (m) => m.getExtension('text/html') },
  },
  {
    pkg: 'mime-types',
    kind: 'cjs',
    items: [4],
    calls: { lookup: (m) => m.lookup('x.md'), contentType: (m) => m.contentType('json') },
  },
  {
    pkg: 'mime-db',
    kind: 'cjs',
    items: [11],
    calls: { json: (m) => m['application/json'].extensions, count: (m) => Object.keys(m).length > 1000 },
  },
  {
    pkg: 'spdx-license-ids',
    kind: 'cjs',
    importAttributes: { type: 'json' }, // its main is index.json
    items: [6, 11],
    calls: { isArray: (m) => Array.isArray(m), mit: (m) => m.includes('MIT') },
  },
  {
    pkg: 'import-fresh',
    kind: 'cjs',
    items: [9],
    calls: {
      // deletes the require.cache entry of the file and requires it again
      fresh: (m, { nodeModules }) => {
        const file = `${nodeModules}/fixture-counter/index.js`;
        const a = m(file);
        const b = m(file);
        return { distinct: a !== b, step: b.run - a.run };
      },
    },
  },
  {
    pkg: 'yargs-parser',
    kind: 'dual',
    items: [4],
    calls: { parse: (m) => fn(m)(['--a', '1', '-bc', 'x']) },
  },
  {
    pkg: 'ajv',
    kind: 'cjs',
    items: [1],
    calls: {
      validate: (m) => {
        const Ajv = fn(m);
        const validate = new Ajv().compile({
          type: 'object',
          properties: { a: { type: 'number' } },
          required: ['a'],
        });
        return [validate({ a: 1 }), validate({}), validate.errors?.[0]?.message];
      },
    },
  },
  {
    pkg: 'bluebird',
    kind: 'cjs',
    items: [1],
    calls: { map: (m) => m.map([1, 2, 3], (x) => m.delay(1).then(() => x * 2)) },
  },
  {
    pkg: 'async',
    kind: 'cjs',
    items: [],
    calls: { mapSeries: (m) => m.mapSeries([1, 2], async (x) => x + 1) },
  },
  {
    pkg: 'cookie',
    kind: 'cjs',
    items: [],
    calls: { parse: (m) => m.parse('a=1; b=x%20y'), serialize: (m) => m.serialize('a', 'b c') },
  },
  { pkg: 'escape-html', kind: 'cjs', items: [1], calls: { call: (m) => m('<a href="x">&</a>') } },
  { pkg: 'depd', kind: 'cjs', items: [1], calls: { call: (m) => typeof m('npm-compat') } },
  {
    pkg: 'resolve-from',
    kind: 'cjs',
    items: [9],
    calls: {
      resolve: (m, { root, relative }) => relative(root, m(root, 'ms')),
      silent: (m, { root }) => m.silent(root, 'no-such-package-here') ?? null,
    },
  },
  {
    pkg: 'iconv-lite',
    kind: 'cjs',
    items: [],
    calls: {
      decode: (m) => m.decode(Buffer.from([0xe9, 0x74, 0xe9]), 'latin1'),
      encode: (m) => [...m.encode('é', 'utf16le')],
    },
  },
  {
    pkg: 'eventemitter3',
    kind: 'dual',
    items: [4],
    calls: {
      emit: (m) => {
        const EE = fn(m);
        const e = new EE();
        const seen = [];
        e.on('x', (v) => seen.push(v));
        e.emit('x', 1);
        return [seen, e.listenerCount('x')];
      },
    },
  },
  {
    pkg: 'tslib',
    kind: 'dual',
    items: [4],
    calls: { assign: (m) => m.__assign({ a: 1 }, { b: 2 }), helpers: (m) => typeof m.__awaiter },
  },
  {
    pkg: 'yaml',
    kind: 'dual',
    items: [4, 15],
    calls: { parse: (m) => m.parse('a: 1\nb: [x, y]\n'), stringify: (m) => m.stringify({ a: { b: 1 } }) },
    hostile: true,
  },
  {
    pkg: 'axios',
    kind: 'dual',
    items: [4],
    calls: {
      uri: (m) => fn(m).getUri({ url: '/x', params: { a: 1 } }),
      get: (m) =>
        withServer(
          (req, res) => {
            res.setHeader('content-type', 'application/json');
            res.end(JSON.stringify({ url: req.url }));
          },
          async (base) => {
            const response = await fn(m).get(`${base}/hello`, { params: { x: 1 } });
            return { status: response.status, data: response.data };
          },
        ),
    },
  },
  {
    pkg: 'ansi-styles',
    kind: 'cjs',
    items: [9],
    // index.js sets module.exports with Object.defineProperty(module, 'exports', { get })
    calls: { red: (m) => m.red.open, bold: (m) => m.modifier.bold.open, close: (m) => m.color.close },
    // Its getter builds a new object per read: Node's every require gets another one, while the
    // registry holds one value per name it owns (docs/guide/npm.md, Limits). The identity way
    // expects that rule here, and checks that Node's answer still differs.
    registryIdentity: true,
  },
  {
    pkg: 'chalk',
    kind: 'esm',
    items: [4, 5, 15],
    calls: { red: (m) => new m.Chalk({ level: 1 }).red('x'), level: (m) => typeof m.default.level },
    hostile: true,
  },
  {
    pkg: 'nanoid',
    kind: 'esm',
    items: [4, 15],
    calls: { length: (m) => m.nanoid(10).length, alphabet: (m) => m.customAlphabet('a', 5)() },
    hostile: true,
  },
  {
    pkg: 'p-limit',
    kind: 'esm',
    items: [4],
    calls: {
      limit: async (m) => {
        const limit = m.default(1);
        return Promise.all([limit(async () => 1), limit(async () => 2)]);
      },
    },
  },
  { pkg: 'escape-string-regexp', kind: 'esm', items: [4], calls: { call: (m) => m.default('a.b*c') } },
  { pkg: 'camelcase', kind: 'esm', items: [4], calls: { call: (m) => m.default('foo-bar_baz') } },
  {
    pkg: 'strip-ansi',
    kind: 'esm',
    items: [4],
    calls: { call: (m) => m.default('\u001b[31mred\u001b[39m') },
  },
  { pkg: 'is-plain-obj', kind: 'esm', items: [4], calls: { call: (m) => [m.default({}), m.default([])] } },
  {
    pkg: 'p-map',
    kind: 'esm',
    items: [4],
    calls: { map: (m) => m.default([1, 2, 3], async (x) => x * 10, { concurrency: 2 }) },
  },
  {
    pkg: 'change-case',
    kind: 'esm',
    items: [4, 15],
    calls: { camel: (m) => m.camelCase('foo bar baz'), snake: (m) => m.snakeCase('fooBar') },
    hostile: true,
  },
  {
    pkg: 'open',
    kind: 'esm',
    items: [8],
    // index.js declares `const __dirname = ...dirname(fileURLToPath(import.meta.url))`
    calls: { apps: (m) => Object.keys(m.apps).sort(), open: (m) => typeof m.default },
  },
  {
    pkg: 'is-inside-container',
    kind: 'esm',
    items: [12],
    calls: { call: (m) => typeof m.default() },
    // cli.js starts with `#!/usr/bin/env node` (and sets process.exitCode, which the runner restores)
    subs: [{ name: 'is-inside-container.cli', file: 'is-inside-container/cli.js', calls: {} }],
  },
  {
    pkg: 'yargs',
    kind: 'dual',
    items: [4],
    calls: {
      parse: (m) => {
        const { $0, ...argv } = fn(m)(['--x', '2', 'cmd']).parse();
        return [typeof $0, argv];
      },
    },
  },
  {
    pkg: 'zod',
    kind: 'dual',
    items: [2, 4, 13, 15],
    calls: {
      parse: (m) => m.z.object({ a: m.z.string() }).safeParse({ a: 1 }).success,
      ok: (m) => m.z.array(m.z.number()).parse([1, 2]),
    },
    subs: [{ name: 'zod.v4', node: 'zod/v4', calls: { parse: (v4) => v4.z.string().parse('x') } }],
    ts: { name: 'src' },
    hostile: true,
  },
  {
    pkg: 'date-fns',
    kind: 'dual',
    items: [4, 7, 15],
    calls: {
      addDays: (m) => m.addDays(new Date(0), 3).getTime(),
      diff: (m) => m.differenceInCalendarDays(new Date(2020, 2, 1), new Date(2020, 1, 1)),
      iso: (m) => m.formatISO9075(new Date(2020, 0, 2, 3, 4, 5)),
    },
    // locale.js sits beside the folder locale/
    subs: [
      { name: 'date-fns.locale', node: 'date-fns/locale', calls: { fr: (l) => l.fr.code } },
      {
        name: 'date-fns.addDays',
        node: 'date-fns/addDays',
        calls: { call: (a) => a.addDays(new Date(0), 1).getTime() },
      },
    ],
    hostile: true,
  },
  {
    pkg: 'uuid',
    kind: 'dual',
    items: [4, 15],
    calls: { v5: (m) => m.v5('hello', m.v5.DNS), valid: (m) => m.validate(m.v4()), nil: (m) => m.NIL },
    hostile: true,
  },
  {
    pkg: 'immer',
    kind: 'dual',
    items: [4, 13],
    calls: {
      produce: (m) => {
        const base = { a: [1], b: { c: 1 } };
        const next = m.produce(base, (d) => {
          d.a.push(2);
        });
        return [next, next.b === base.b, Object.isFrozen(next)];
      },
    },
    ts: { name: 'src.immer' },
  },
  {
    pkg: 'redux',
    kind: 'dual',
    items: [4, 13],
    calls: {
      store: (m) => {
        const store = m.legacy_createStore((s = 0, a) => (a.type === 'inc' ? s + 1 : s));
        store.dispatch({ type: 'inc' });
        return store.getState();
      },
      compose: (m) =>
        m.compose(
          (x) => x + 1,
          (x) => x * 2,
        )(3),
    },
    ts: { name: 'src' },
  },
  {
    pkg: 'rxjs',
    kind: 'dual',
    items: [4, 13],
    calls: {
      pipe: (m) =>
        collect(
          m.of(1, 2, 3).pipe(
            m.map((x) => x * 2),
            m.filter((x) => x > 2),
          ),
        ),
      subject: (m) => {
        const s = new m.BehaviorSubject(1);
        const out = [];
        s.subscribe((v) => out.push(v));
        s.next(2);
        return out;
      },
    },
    subs: [
      {
        name: 'rxjs.operators',
        node: 'rxjs/operators',
        calls: { take: (o, { main }) => collect(main.of(1, 2, 3).pipe(o.take(2))) },
      },
    ],
    ts: { name: 'src' },
  },
  {
    pkg: '@reduxjs/toolkit',
    kind: 'dual',
    items: [4, 13],
    calls: {
      slice: (m) => {
        const slice = m.createSlice({
          name: 'c',
          initialState: { n: 0 },
          reducers: { inc: (s) => void s.n++ },
        });
        const store = m.configureStore({ reducer: slice.reducer });
        store.dispatch(slice.actions.inc());
        return [store.getState(), slice.actions.inc.type];
      },
    },
    ts: { name: 'src' },
  },
  {
    pkg: '@tanstack/query-core',
    kind: 'dual',
    items: [4, 13],
    calls: {
      cache: (m) => {
        const client = new m.QueryClient();
        client.setQueryData(['a'], 1);
        return [client.getQueryData(['a']), m.hashKey(['a', { b: 1 }])];
      },
      fetch: (m) => new m.QueryClient().fetchQuery({ queryKey: ['x'], queryFn: async () => 42 }),
    },
    ts: { name: 'src' },
  },
  {
    pkg: '@trpc/server',
    kind: 'dual',
    items: [4],
    calls: {
      call: (m) => {
        const t = m.initTRPC.create();
        const router = t.router({ hi: t.procedure.query(() => 'hello') });
        return t.createCallerFactory(router)({}).hi();
      },
    },
    // its src/ imports '@trpc/server/vendor/is-plain-object', a path its `exports` does not
    // list (its own monorepo maps it with tsconfig paths): not runnable as published, so no ts way
  },
  { pkg: 'valibot', kind: 'dual', items: [4], calls: { parse: (m) => m.safeParse(m.string(), 1).success } },
  {
    pkg: 'fp-ts',
    kind: 'cjs',
    items: [6],
    calls: { pipe: (m) => m.function.pipe(1, (x) => x + 1), some: (m) => m.option.some(1) },
    // fp-ts/Option/ is a folder whose package.json main is ../lib/Option.js
    subs: [
      {
        name: 'fp-ts.Option',
        node: 'fp-ts/Option',
        esmNode: 'fp-ts/lib/Option.js',
        calls: { none: (o) => o.isNone(o.none) },
      },
    ],
  },
  {
    pkg: 'neverthrow',
    kind: 'cjs',
    items: [],
    calls: {
      ok: (m) =>
        m
          .ok(1)
          .map((x) => x + 1)
          ._unsafeUnwrap(),
    },
  },
  {
    pkg: 'ts-pattern',
    kind: 'dual',
    items: [4],
    calls: {
      match: (m) =>
        m
          .match(2)
          .with(2, () => 'two')
          .otherwise(() => 'other'),
    },
  },
  {
    pkg: '@sinclair/typebox',
    kind: 'dual',
    items: [4],
    calls: { schema: (m) => m.Type.Object({ a: m.Type.String() }) },
    subs: [
      {
        name: '@sinclair.typebox.value',
        node: '@sinclair/typebox/value',
        calls: { check: (v, { main }) => v.Value.Check(main.Type.Number(), 1) },
      },
    ],
  },
  {
    pkg: 'yoga-layout',
    kind: 'esm',
    items: [4, 10],
    sync: false,
    // dist/src/index.js: `const Yoga = wrapAssembly(await loadYoga())` (its src/ is not complete:
    // src/wrapAssembly.ts is not published, so there is no `ts` way)
    calls: {
      layout: (m) => {
        const node = m.default.Node.create();
        node.setWidth(100);
        node.setHeight(50);
        node.calculateLayout();
        return [node.getComputedWidth(), node.getComputedHeight()];
      },
    },
  },

  // ---------------------------------------------------------------- Node built-ins by bare name
  // no package of these names is installed: Node's own modules, as `require('fs')` gives them
  {
    pkg: 'fs',
    builtin: true,
    kind: 'cjs',
    items: [3],
    calls: {
      exists: (m, { nodeModules }) => m.existsSync(nodeModules),
      sep: (m) => typeof m.promises.readFile,
    },
  },
  {
    pkg: 'path',
    builtin: true,
    kind: 'cjs',
    items: [3],
    calls: { join: (m) => m.posix.join('a', '..', 'b', 'c') },
  },
  {
    pkg: 'events',
    builtin: true,
    kind: 'cjs',
    items: [3],
    calls: { once: (m) => typeof m.once, emitter: (m) => new m.EventEmitter().listenerCount('x') },
  },
  {
    pkg: 'url',
    builtin: true,
    kind: 'cjs',
    items: [3],
    calls: { file: (m) => m.pathToFileURL('/a b').href },
  },

  // ---------------------------------------------------------------- local fixture packages
  {
    pkg: 'fixture-tla-ts',
    fixture: true,
    kind: 'esm',
    items: [10],
    sync: false,
    // src/index.ts: `export const answer = await load()` with `load` a default import
    tlaCounter: '__npmCompatTlaRuns',
    calls: { answer: (m) => m.answer },
    ts: { name: 'src' },
  },
  {
    pkg: 'fixture-esm-strict',
    fixture: true,
    kind: 'esm',
    items: [14],
    calls: { facts: () => globalThis.__npmCompatEsmStrict ?? null },
    subs: [
      {
        name: 'fixture-esm-strict.plain',
        file: 'fixture-esm-strict/plain.mjs',
        calls: { facts: () => globalThis.__npmCompatMjsStrict ?? null },
      },
    ],
  },
  {
    pkg: 'fixture-json-interop',
    fixture: true,
    kind: 'esm',
    items: [11],
    calls: {
      json: (m) => m.json,
      cjsDefault: (m) => m.cjsDefault,
      cjsNamespaceKeys: (m) => m.cjsNamespaceKeys,
    },
  },
  {
    pkg: 'fixture-cjs-details',
    fixture: true,
    kind: 'cjs',
    items: [9],
    calls: { facts: (m) => m.facts, loadedAfterBody: (m) => m.loadedAfterBody() },
  },
  {
    pkg: 'fixture-hashbang-cjs',
    fixture: true,
    kind: 'cjs',
    items: [12],
    calls: { answer: (m) => m.answer, line: (m) => m.line },
  },
];
