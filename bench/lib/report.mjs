// Summaries and the printed table: medians, ms per module, ratios to the baseline and the floor.

export function median(values) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** One scenario's numbers from its runs; ratios are filled in by `addRatios`. */
export function summarize(scenario, state, expectedModules) {
  const base = { id: scenario.id, label: scenario.label, what: scenario.what };
  if (!state.runs.length) return { ...base, status: `unavailable: ${state.error ?? 'not run'}` };
  const ms = median(state.runs.map((r) => r.ms));
  const modules = median(state.runs.map((r) => r.modules));
  return {
    ...base,
    status: state.error ? `partial: ${state.error}` : 'ok',
    runs: state.runs.length,
    medianMs: ms,
    minMs: Math.min(...state.runs.map((r) => r.ms)),
    maxMs: Math.max(...state.runs.map((r) => r.ms)),
    msPerModule: ms / expectedModules,
    modules,
    modulesExpected: expectedModules,
    medianWallMs: median(state.runs.map((r) => r.wallMs)),
    medianRssPeakKb: median(state.runs.map((r) => r.rssPeakKb).filter((x) => typeof x === 'number')),
    samplesMs: state.runs.map((r) => r.ms),
  };
}

/**
 * One memory scenario's numbers from its runs: medians of the heap growth (MB, after full
 * collections), of the growth per step (KB per reload or per system after the first) and of the
 * first system's one-time share; `ms` is the whole loop.
 */
export function summarizeMemory(scenario, state) {
  const base = { id: scenario.id, label: scenario.label, what: scenario.what, kind: 'memory' };
  if (!state.runs.length) return { ...base, status: `unavailable: ${state.error ?? 'not run'}` };
  const pick = (key) => median(state.runs.map((r) => r[key]).filter((x) => typeof x === 'number'));
  const growth = state.runs.map((r) => r.heapGrowthMb);
  const first = state.runs[0];
  const steps = first.reloads ?? first.cycles;
  return {
    ...base,
    status: state.error ? `partial: ${state.error}` : 'ok',
    runs: state.runs.length,
    steps,
    modules: pick('modules'),
    ...(first.target ? { target: first.target, targetBytes: first.targetBytes } : {}),
    heapBeforeMb: pick('heapBeforeMb'),
    heapGrowthMb: median(growth),
    minHeapGrowthMb: Math.min(...growth),
    maxHeapGrowthMb: Math.max(...growth),
    perStepKb: pick('perStepKb'),
    firstSystemMb: pick('firstSystemMb'),
    externalGrowthMb: pick('externalGrowthMb'),
    medianMs: pick('ms'),
    msPerStep: pick('ms') / steps,
    medianRssPeakKb: pick('rssPeakKb'),
    samplesHeapGrowthMb: growth,
  };
}

export function addRatios(rows) {
  const baseline = rows.find((r) => r.id === 'require');
  const floor = rows.find((r) => r.id === 'floor')?.medianMs;
  for (const r of rows) {
    if (r.medianMs == null) continue;
    r.xBaseline = baseline?.medianMs ? r.medianMs / baseline.medianMs : null;
    r.xBaselineWall = baseline?.medianWallMs ? r.medianWallMs / baseline.medianWallMs : null;
    r.xFloor = floor ? r.medianMs / floor : null;
  }
  return rows;
}

function table(header, body) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => String(row[i]).length)));
  const fmt = (row) =>
    row
      .map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i])))
      .join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)].join('\n');
}

const fixed = (x, digits) => (x == null ? '-' : x.toFixed(digits));

const UNAVAILABLE = 'n/a';

/** The reasons of the scenarios that could not run, one line each, under a table. */
function footnotes(rows, reasonOf) {
  const lines = rows.filter((r) => reasonOf(r)).map((r) => `  ${r.label}: ${reasonOf(r)}`);
  return lines.length ? '\n' + lines.join('\n') : '';
}

/** The timing table of one tree. */
export function formatTimes(rows) {
  const body = rows.map((r) =>
    r.medianMs == null
      ? [r.label, UNAVAILABLE, '', '', '', '', '', '', '']
      : [
          r.label + (r.modules !== r.modulesExpected ? ` (loaded ${r.modules}/${r.modulesExpected})` : ''),
          fixed(r.medianMs, 1),
          fixed(r.msPerModule, 3),
          r.xBaseline == null ? '-' : `${fixed(r.xBaseline, 2)}x`,
          r.xFloor == null ? '-' : `${fixed(r.xFloor, 2)}x`,
          fixed(r.medianWallMs, 0),
          r.xBaselineWall == null ? '-' : `${fixed(r.xBaselineWall, 2)}x`,
          r.medianRssPeakKb == null ? '-' : fixed(r.medianRssPeakKb / 1024, 0),
          `${r.runs}${r.status === 'ok' ? '' : '!'}`,
        ],
  );
  const header = [
    'scenario',
    'median ms',
    'ms/module',
    'x require',
    'x floor',
    'wall ms',
    'x req wall',
    'peak MB',
    'runs',
  ];
  return table(header, body) + footnotes(rows, (r) => (r.status === 'ok' ? null : r.status));
}

/** The memory table of one tree: heap growth, not time. */
export function formatMemory(rows) {
  const body = rows.map((r) =>
    r.heapGrowthMb == null
      ? [r.label, UNAVAILABLE, '', '', '', '', '', '', '']
      : [
          r.label,
          fixed(r.heapGrowthMb, 2),
          `${fixed(r.minHeapGrowthMb, 2)}..${fixed(r.maxHeapGrowthMb, 2)}`,
          fixed(r.perStepKb, 2),
          fixed(r.firstSystemMb, 2),
          fixed(r.externalGrowthMb, 2),
          fixed(r.msPerStep, 2),
          r.medianRssPeakKb == null ? '-' : fixed(r.medianRssPeakKb / 1024, 0),
          `${r.runs}${r.status === 'ok' ? '' : '!'}`,
        ],
  );
  const header = [
    'memory',
    'heap growth MB',
    'min..max',
    'KB / step',
    'first system MB',
    'external MB',
    'ms / step',
    'peak MB',
    'runs',
  ];
  return table(header, body) + footnotes(rows, (r) => (r.status === 'ok' ? null : r.status));
}

/** The system-call table of one tree. */
export function formatSyscalls(syscalls) {
  if (typeof syscalls === 'string') return syscalls;
  const body = syscalls.map((s) =>
    s.error
      ? [s.label, UNAVAILABLE, '', '']
      : [
          s.label,
          fixed(s.perModule, 1),
          fixed(s.modules ? s.underRoot / s.modules : null, 1),
          Object.entries(s.byCall)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
        ],
  );
  const header = ['path syscalls during the import', 'per module', 'in tree / module', 'calls'];
  return table(header, body) + footnotes(syscalls, (s) => (s.error ? `unavailable: ${s.error}` : null));
}
