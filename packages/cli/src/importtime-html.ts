/**
 * `--importtime=html FILE`: one self-contained HTML page (no network, no other file) with an
 * interactive icicle chart of the import tree: one row per nesting level, each import a box whose
 * width is its cumulative time; hovering shows self and cumulative microseconds, clicking zooms into
 * an import's subtree, clicking the top bar (or "reset") zooms back out.
 */
import type { ImportTimeNode } from './trace.js';

/** Options of {@link importTimeHtml}. */
export interface ImportTimeHtmlOptions {
  /** The page title (what was run). @default 'import time' */
  title?: string;
}

/** The HTML page drawing the import tree `roots` (from an `ImportTimeRecorder`). */
export function importTimeHtml(
  roots: readonly ImportTimeNode[],
  options: ImportTimeHtmlOptions = {},
): string {
  const title = escapeHtml(options.title ?? 'import time');
  // JSON inside a script element: `<` escaped so no text can close the element early.
  const data = JSON.stringify(roots).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
  :root { color-scheme: light dark; font: 13px/1.4 system-ui, sans-serif; }
  body { margin: 16px; }
  h1 { font-size: 16px; margin: 0 0 4px; }
  #summary { color: #666; margin-bottom: 8px; }
  #crumbs { margin-bottom: 8px; min-height: 20px; }
  #crumbs button { font: inherit; cursor: pointer; margin-right: 4px; }
  #chart { position: relative; width: 100%; overflow: hidden; border: 1px solid #8884; }
  .node { position: absolute; height: 20px; box-sizing: border-box; border: 1px solid #fff8;
    overflow: hidden; white-space: nowrap; text-overflow: ellipsis; padding: 1px 4px; cursor: pointer;
    color: #111; font-size: 12px; }
  .node.failed { background-image: repeating-linear-gradient(45deg, #0002 0 4px, transparent 4px 8px); }
  .node:hover { outline: 2px solid #000; z-index: 1; }
  #tip { position: fixed; pointer-events: none; background: #222; color: #fff; padding: 4px 8px;
    border-radius: 4px; font-size: 12px; display: none; white-space: pre; z-index: 2; }
</style>
</head>
<body>
<h1>${title}</h1>
<div id="summary"></div>
<div id="crumbs"></div>
<div id="chart" role="tree" aria-label="import tree"></div>
<div id="tip"></div>
<script type="application/json" id="import-tree">${data}</script>
<script>
(() => {
  const ROW = 22;
  const roots = JSON.parse(document.getElementById('import-tree').textContent);
  const total = roots.reduce((sum, node) => sum + node.cumulativeUs, 0);
  const top = { name: 'all imports', selfUs: 0, cumulativeUs: total, ok: true, children: roots, top: true };
  const parents = new Map();
  let count = 0;
  (function index(node) {
    for (const child of node.children) { parents.set(child, node); count++; index(child); }
  })(top);
  const chart = document.getElementById('chart');
  const tip = document.getElementById('tip');
  const crumbs = document.getElementById('crumbs');
  const us = (n) => n.toLocaleString('en-US') + ' \\u00b5s';
  document.getElementById('summary').textContent =
    count + ' imports, ' + us(total) + ' in all. Width is cumulative time; hover for details, click to zoom.';
  const hue = (name) => { let h = 0; for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0; return h % 360; };

  function draw(focus) {
    chart.textContent = '';
    let depthMax = 0;
    const place = (node, depth, left, width) => {
      depthMax = Math.max(depthMax, depth);
      const box = document.createElement('div');
      box.className = 'node' + (node.ok ? '' : ' failed');
      box.setAttribute('role', 'treeitem');
      box.dataset.name = node.top ? '' : node.name;
      box.dataset.self = String(node.selfUs);
      box.dataset.cumulative = String(node.cumulativeUs);
      box.dataset.depth = String(depth);
      box.style.left = left + '%';
      box.style.width = width + '%';
      box.style.top = depth * ROW + 'px';
      box.style.background = node.top ? '#ccc' : 'hsl(' + hue(node.name) + ' 70% 75%)';
      box.textContent = node.name;
      box.addEventListener('mousemove', (event) => {
        tip.style.display = 'block';
        tip.style.left = event.clientX + 12 + 'px';
        tip.style.top = event.clientY + 12 + 'px';
        const share = total ? ((100 * node.cumulativeUs) / total).toFixed(1) : '0.0';
        tip.textContent = node.name + (node.ok ? '' : ' (failed)') + '\\nself: ' + us(node.selfUs) +
          '\\ncumulative: ' + us(node.cumulativeUs) + ' (' + share + '% of all)';
      });
      box.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
      box.addEventListener('click', (event) => {
        event.stopPropagation();
        draw(node === focus && parents.has(node) ? parents.get(node) : node);
      });
      chart.appendChild(box);
      let offset = left;
      for (const child of node.children) {
        const childWidth = node.cumulativeUs ? (width * child.cumulativeUs) / node.cumulativeUs : 0;
        place(child, depth + 1, offset, childWidth);
        offset += childWidth;
      }
    };
    place(focus, 0, 0, 100);
    chart.style.height = (depthMax + 1) * ROW + 'px';
    chart.dataset.focus = focus.top ? '' : focus.name;
    crumbs.textContent = '';
    const path = [];
    for (let node = focus; node; node = parents.get(node)) path.unshift(node);
    for (const node of path) {
      const button = document.createElement('button');
      button.textContent = node.top ? 'reset' : node.name;
      button.addEventListener('click', () => draw(node));
      crumbs.appendChild(button);
    }
  }
  draw(top);
})();
</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
