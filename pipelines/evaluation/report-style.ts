import { PALETTE } from './svg/common.js';

/** The report page's stylesheet, inlined into its `<style>` so the page needs nothing else. */
export const REPORT_CSS = `
:root {
  --ink: ${PALETTE.ink};
  --muted: ${PALETTE.muted};
  --line: ${PALETTE.grid};
  --page: #f3f5f8;
  --card: #ffffff;
  --accent: ${PALETTE.models.ensemble};
}
* { box-sizing: border-box; }
body {
  margin: 0;
  background: var(--page);
  color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial,
    sans-serif;
}
main { max-width: 1200px; margin: 0 auto; padding: 28px 32px 56px; }
header { margin-bottom: 8px; }
h1 { font-size: 26px; margin: 0; letter-spacing: -0.01em; }
.subtitle { margin: 2px 0 14px; color: var(--muted); }
h2 {
  font-size: 19px;
  margin: 0 0 14px;
  padding-bottom: 6px;
  border-bottom: 2px solid var(--line);
}
h3 { font-size: 15px; margin: 0 0 10px; }
section {
  background: var(--card);
  border-radius: 10px;
  box-shadow: 0 1px 3px rgba(15, 23, 42, 0.08);
  padding: 20px 24px;
  margin: 18px 0;
}
nav { display: flex; flex-wrap: wrap; gap: 6px 16px; margin-top: 12px; }
nav a { color: var(--accent); text-decoration: none; font-weight: 600; }
nav a:hover { text-decoration: underline; }
.facts { display: flex; flex-wrap: wrap; gap: 8px; margin: 0; }
.fact {
  background: var(--card);
  border: 1px solid var(--line);
  border-radius: 8px;
  padding: 5px 10px;
}
.fact dt {
  font-size: 11px;
  text-transform: uppercase;
  letter-spacing: 0.04em;
  color: var(--muted);
}
.fact dd { margin: 0; font-weight: 600; }
.banner {
  margin: 12px 0 0;
  padding: 8px 12px;
  border-left: 4px solid #d97706;
  background: #fff7e6;
  border-radius: 4px;
}
table.scores {
  border-collapse: collapse;
  width: 100%;
  font-variant-numeric: tabular-nums;
}
table.scores caption {
  caption-side: bottom;
  text-align: left;
  color: var(--muted);
  font-size: 12.5px;
  padding-top: 8px;
}
table.scores th, table.scores td {
  padding: 6px 10px;
  border-bottom: 1px solid var(--line);
  text-align: left;
  white-space: nowrap;
}
table.scores thead th {
  font-size: 12px;
  color: var(--muted);
  font-weight: 600;
  border-bottom: 2px solid var(--line);
}
table.scores td.num, table.scores th.num { text-align: right; }
table.scores td.best, table.scores td.strong { font-weight: 700; }
table.scores tr.muted { color: var(--muted); font-style: italic; }
.swatch {
  display: inline-block;
  width: 10px;
  height: 10px;
  border-radius: 2px;
  margin-right: 8px;
  vertical-align: baseline;
}
.cards { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.pairs {
  display: grid;
  grid-template-columns: max-content 1fr;
  gap: 4px 16px;
  margin: 0;
}
.pairs dt { color: var(--muted); }
.pairs dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.weight-bar {
  display: flex;
  height: 10px;
  border-radius: 5px;
  overflow: hidden;
  margin-top: 12px;
}
.pair {
  display: grid;
  grid-template-columns: repeat(2, minmax(0, 1fr));
  gap: 16px;
  align-items: start;
}
figure { margin: 0 0 16px; }
figure.wide { margin-top: 8px; }
.figure-svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption {
  font-size: 12.5px;
  color: var(--ink);
  margin-top: 6px;
  padding: 6px 10px;
  background: #f8fafc;
  border-left: 3px solid var(--line);
}
.provenance { color: var(--muted); }
.note { color: var(--muted); }
.stat { margin: 14px 0 0; font-size: 15px; }
details { margin-top: 8px; }
summary { cursor: pointer; color: var(--accent); font-weight: 600; }
@media (max-width: 900px) {
  .pair, .cards { grid-template-columns: 1fr; }
}
`;
