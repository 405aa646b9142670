// Whether a Node version is inside the `engines.node` range the packages declare. Only the two forms
// the manifests use are understood: `^a.b.c` (same major, at least a.b.c) and `>=a.b.c`, joined by `||`.
// (setup.mjs runs before anything is installed, so it cannot use the `semver` package.)

/** @param {string} text */
function parse(text) {
  const parts = text.replace(/^v/, '').split('.').map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n))) {
    throw new Error(`not a version: ${text}`);
  }
  return parts;
}

/** @param {number[]} a @param {number[]} b */
function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * @param {string} version e.g. `20.20.2` or `v20.20.2`
 * @param {string} range e.g. `^20.19.0 || >=22.12.0`
 * @returns {boolean}
 */
export function satisfiesRange(version, range) {
  const v = parse(version);
  return range.split('||').some((alternative) => {
    const clause = alternative.trim();
    if (clause.startsWith('^')) {
      const min = parse(clause.slice(1));
      return v[0] === min[0] && compare(v, min) >= 0;
    }
    if (clause.startsWith('>=')) return compare(v, parse(clause.slice(2).trim())) >= 0;
    throw new Error(`unsupported range clause: ${clause}`);
  });
}
