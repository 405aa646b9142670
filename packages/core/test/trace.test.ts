// Tracing (docs/conformance.md#tracing), the event side: what the core reports to tracers
// ('import-start' / 'import-end' for -X importtime, 'cached' for importtime=2, 'loaded' and
// 'trying' for -v / -vv, warnings), and that nothing is built when no tracer listens.
import { describe, expect, it } from 'vitest';

import {
  ModuleSpec,
  type ImportEvent,
  type Loader,
  type MetaPathFinder,
  type ModuleType,
} from '@importlib/core';

import { BodyLoader, memorySystem, recordEvents } from './helpers.js';

type EventOf<T extends ImportEvent['type']> = Extract<ImportEvent, { type: T }>;

function ofType<T extends ImportEvent['type']>(events: ImportEvent[], ...types: T[]): Array<EventOf<T>> {
  return events.filter((event): event is EventOf<T> => (types as string[]).includes(event.type));
}

function startsAndEnds(events: ImportEvent[]): string[] {
  return ofType(events, 'import-start', 'import-end').map((event) =>
    event.type === 'import-start' ? `start ${event.name}` : `end ${event.name}${event.ok ? '' : ' (failed)'}`,
  );
}

describe('import-start / import-end (-X importtime)', () => {
  it('nests the events of a.b.c: a inside a.b inside a.b.c, each ended once', () => {
    const { system } = memorySystem({
      a: { package: true },
      'a.b': { package: true },
      'a.b.c': () => undefined,
    });
    const events = recordEvents(system);
    system.importModule('a.b.c');
    expect(startsAndEnds(events)).toEqual([
      'start a.b.c',
      'start a.b',
      'start a',
      'end a',
      'end a.b',
      'end a.b.c',
    ]);
  });

  it('reports the imports made by module code nested inside the importing module', () => {
    const { system } = memorySystem({
      outer: (m, sys) => void sys.importModule('inner'),
      inner: () => undefined,
    });
    const events = recordEvents(system);
    system.importModule('outer');
    expect(startsAndEnds(events)).toEqual(['start outer', 'start inner', 'end inner', 'end outer']);
  });

  it('ends a failed import with ok: false', () => {
    const { system } = memorySystem({
      bad: () => {
        throw new Error('boom');
      },
    });
    const events = recordEvents(system);
    expect(() => system.importModule('bad')).toThrow('boom');
    expect(() => system.importModule('missing')).toThrow(/No module named 'missing'/);
    expect(startsAndEnds(events)).toEqual([
      'start bad',
      'end bad (failed)',
      'start missing',
      'end missing (failed)',
    ]);
  });

  it('reports the same events on the async path', async () => {
    const { system } = memorySystem({
      a: { package: true, body: async () => undefined },
      'a.b': async () => undefined,
    });
    const events = recordEvents(system);
    await system.importModuleAsync('a.b');
    expect(startsAndEnds(events)).toEqual(['start a.b', 'start a', 'end a', 'end a.b']);
  });
});

describe("'cached' for names served from modules (-X importtime)", () => {
  it('reports cached, and no import-start, for a registry hit', () => {
    const { system } = memorySystem({ m: () => undefined });
    system.importModule('m');
    const events = recordEvents(system);
    system.importModule('m');
    expect(events).toEqual([{ type: 'cached', name: 'm' }]);
  });

  it('reports cached for a registry hit on the async path and through __import__', async () => {
    const { system } = memorySystem({ a: { package: true }, 'a.b': () => undefined });
    system.importModule('a.b');
    const events = recordEvents(system);
    await system.importModuleAsync('a');
    system.__import__('a.b');
    expect(events).toEqual([
      { type: 'cached', name: 'a' },
      { type: 'cached', name: 'a.b' },
      { type: 'cached', name: 'a' }, // the statement returns the top package
    ]);
  });

  it('reports cached for a value that is not a module', () => {
    const { system } = memorySystem({});
    system.modules.set('s', 'a string');
    const events = recordEvents(system);
    expect(system.importModule('s')).toBe('a string');
    expect(events).toEqual([{ type: 'cached', name: 's' }]);
  });
});

describe("'loaded' and 'trying' (_verbose_message)", () => {
  it("reports loaded after the module's code ran, with the loader's description and the spec", () => {
    const { system } = memorySystem({ m: () => undefined });
    const events = recordEvents(system);
    const module = system.importModule('m') as ModuleType;
    const loaded = ofType(events, 'loaded');
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({ type: 'loaded', name: 'm', loader: '<BodyLoader>' });
    expect(loaded[0]?.spec).toBe(module.__spec__);
    expect(events.findIndex((e) => e.type === 'loaded')).toBeLessThan(
      events.findIndex((e) => e.type === 'import-end'),
    );
  });

  it('reports no loaded event for a failed import', () => {
    const { system } = memorySystem({
      bad: () => {
        throw new Error('boom');
      },
    });
    const events = recordEvents(system);
    expect(() => system.importModule('bad')).toThrow('boom');
    expect(ofType(events, 'loaded')).toEqual([]);
  });

  it('reports trying once per finder asked, in order, up to the finder that finds the module', () => {
    const { system, finder } = memorySystem({ m: () => undefined });
    const declines = { findSpec: () => null, toString: () => '<Declines>' } as MetaPathFinder;
    const never = { findSpec: () => null, toString: () => '<Never>' } as MetaPathFinder;
    system.metaPath = [declines, finder, never];
    const events = recordEvents(system);
    system.importModule('m');
    expect(ofType(events, 'trying')).toEqual([
      { type: 'trying', name: 'm', where: '<Declines>' },
      { type: 'trying', name: 'm', where: '<MemoryFinder>' },
    ]);
  });

  it('reports loaded for a legacy loadModule() loader', () => {
    const { system } = memorySystem({});
    const loader: Loader = {
      loadModule: (name) => {
        const module = system.addModule(name);
        return module;
      },
      toString: () => '<Legacy>',
    } as Loader;
    system.metaPath = [{ findSpec: (name) => new ModuleSpec(name, loader) }];
    const events = recordEvents(system);
    system.importModule('old');
    expect(ofType(events, 'loaded')).toMatchObject([{ name: 'old', loader: '<Legacy>' }]);
  });
});

describe('warnings are trace events', () => {
  it('warns (ImportWarning) when metaPath is empty', () => {
    const { system } = memorySystem({});
    system.metaPath = [];
    const events = recordEvents(system);
    expect(() => system.importModule('m')).toThrow(/No module named 'm'/);
    expect(ofType(events, 'warning')).toEqual([
      {
        type: 'warning',
        category: 'ImportWarning',
        message: expect.stringMatching(/metaPath is empty/),
        name: 'm',
      },
    ]);
  });

  it('warns (ImportWarning) when falling back to findModule() and to loadModule()', () => {
    const { system } = memorySystem({});
    const loader: Loader = { loadModule: (name) => system.addModule(name) };
    system.metaPath = [{ findModule: () => loader }];
    const events = recordEvents(system);
    system.importModule('m');
    const messages = ofType(events, 'warning').map((event) => [event.category, event.message]);
    expect(messages).toEqual([
      ['ImportWarning', expect.stringMatching(/findSpec\(\) not found; falling back to findModule\(\)/)],
      ['ImportWarning', expect.stringMatching(/execModule\(\) not found; falling back to loadModule\(\)/)],
    ]);
  });

  it('warns (ImportWarning) instead of failing when the parent refuses the child attribute (_find_and_load_unlocked: setattr(parent_module))', () => {
    const { system } = memorySystem({
      pkg: {
        package: true,
        body: (m, sys) => void sys.modules.set('pkg', Object.freeze({ __path__: ['memory:pkg'] })),
      },
      'pkg.child': () => undefined,
    });
    const events = recordEvents(system);
    expect(system.importModule('pkg.child')).toBe(system.modules.get('pkg.child'));
    expect(ofType(events, 'warning')).toMatchObject([
      { category: 'ImportWarning', name: 'pkg.child', message: expect.stringMatching(/'pkg'.*'child'/) },
    ]);
  });

  it('warns (DeprecationWarning) when __package__ and __spec__.parent disagree', () => {
    const { system } = memorySystem({ a: { package: true }, 'a.x': () => undefined, b: { package: true } });
    const spec = new ModuleSpec('a.mod', null);
    const events = recordEvents(system);
    system.__import__('x', { __name__: 'a.mod', __package__: 'a', __spec__: spec }, null, ['*'], 1);
    expect(ofType(events, 'warning')).toEqual([]);
    system.__import__(
      'x',
      { __name__: 'b.mod', __package__: 'a', __spec__: new ModuleSpec('b.mod', null) },
      null,
      ['*'],
      1,
    );
    expect(ofType(events, 'warning')).toMatchObject([{ category: 'DeprecationWarning' }]);
  });
});

describe('tracers', () => {
  it('hands every event to every tracer, in the order they were added', () => {
    const { system } = memorySystem({ m: () => undefined });
    const seen: string[] = [];
    system.addTracer((event) => seen.push(`first ${event.type}`));
    system.addTracer((event) => seen.push(`second ${event.type}`));
    system.importModule('m');
    system.importModule('m');
    expect(seen.slice(-2)).toEqual(['first cached', 'second cached']);
  });

  it('returns from addTracer() a function that removes the tracer (a second call does nothing)', () => {
    const { system } = memorySystem({ m: () => undefined });
    const events: ImportEvent[] = [];
    const other: ImportEvent[] = [];
    const remove = system.addTracer((event) => events.push(event));
    system.addTracer((event) => other.push(event));
    system.importModule('m');
    const count = events.length;
    remove();
    remove();
    system.importModule('m');
    expect(events).toHaveLength(count);
    expect(other.length).toBeGreaterThan(count);
  });

  it('lets an error thrown by a tracer reach the importer', () => {
    const { system } = memorySystem({ m: () => undefined });
    system.addTracer(() => {
      throw new Error('tracer failed');
    });
    expect(() => system.importModule('m')).toThrow('tracer failed');
  });

  it('reports verbose messages through system.verbose() only while a tracer listens', () => {
    const { system } = memorySystem({});
    system.verbose(1, 'unheard');
    const events = recordEvents(system);
    system.verbose(2, 'heard', 'm');
    expect(events).toEqual([{ type: 'verbose', level: 2, message: 'heard', name: 'm' }]);
  });
});

describe('no tracer, no cost', () => {
  it('tells with system.tracing whether any tracer listens', () => {
    const { system } = memorySystem({});
    expect(system.tracing).toBe(false);
    const remove = system.addTracer(() => undefined);
    expect(system.tracing).toBe(true);
    remove();
    expect(system.tracing).toBe(false);
  });

  it('builds no event (never describes a finder or loader) when no tracer listens', () => {
    const { system } = memorySystem({});
    let described = 0;
    const describeMe = () => {
      described++;
      return '<Counted>';
    };
    class CountedLoader extends BodyLoader {
      override toString(): string {
        return describeMe();
      }
    }
    const legacy: Loader = { loadModule: (name) => system.addModule(name), toString: describeMe } as Loader;
    system.metaPath = [
      {
        findSpec: (name: string) => {
          if (name === 'legacy') return new ModuleSpec(name, legacy);
          if (name !== 'm' && name !== 'pkg' && name !== 'pkg.child') return null;
          const spec = new ModuleSpec(name, new CountedLoader(system, () => undefined, name === 'pkg'), {
            isPackage: name === 'pkg',
          });
          return spec;
        },
        toString: describeMe,
      } as MetaPathFinder,
      {
        findModule: (name: string) => (name === 'old' ? legacy : null),
        toString: describeMe,
      } as MetaPathFinder,
    ];
    system.importModule('m');
    system.importModule('m');
    system.importModule('pkg.child');
    system.importModule('legacy');
    system.importModule('old');
    system.reload(system.modules.get('legacy'));
    expect(() => system.importModule('missing')).toThrow(/No module named/);
    expect(described).toBe(0);
    recordEvents(system);
    system.reload(system.modules.get('m'));
    expect(described).toBeGreaterThan(0); // the counter works: with a tracer, they are described
  });
});
