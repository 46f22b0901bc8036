// The tables of tests/bench/set.mjs: printed, written to target/bench/report-set.md, and put in target/bench/report.md
// (bench.mjs's report, which the README quotes) between two markers, replacing the section of a former run.
import fs from 'node:fs';
import path from 'node:path';

const BEGIN = '<!-- set.mjs: begin -->';
const END = '<!-- set.mjs: end -->';
const f = (x, d = 1) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : String(x));
const x2 = (x) => `${f(x, 2)}x`;
const range = (xs, fmt) => `${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))}`;
const row = (cells, widths) => cells.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join(' ').trimEnd();

function loadTable(out, runs, median) {
  const m = (k) => median(runs.map((r) => r[k]));
  out(row(['load(ms)', 'floor(ms)', 'load/floor', 'ratio range', 'longest task', 'elements shown/settled', 'insight after load(ms)'],
    [9, 10, 11, 12, 13, 23]));
  out(row([f(m('loadMs')), f(m('floorMs')), x2(m('ratio')), range(runs.map((r) => r.ratio), x2), f(Math.max(...runs.map((r) => r.longestTaskMs))),
    `${m('elementsShown')}/${m('elementsSettled')}`, f(m('insightAfterLoadMs'))], [9, 10, 11, 12, 13, 23]));
  out(`each run load/floor (ms): ${runs.map((r) => `${f(r.loadMs, 0)}/${f(r.floorMs, 0)}`).join('  ')}`);
}

function set10kSection(out, runs, median, debounceMs, service) {
  const r0 = runs[0];
  out(`\n1. ${r0.count} (${f(r0.bytes / 1e6, 0)} MB, ${r0.spans} spans in ${r0.lines} lines), picked with the file chooser.`);
  out(`   Load: setFiles to the end of the first frame with rows and count; floor: decode + JSON.parse of each line, same page`);
  out('   right after. Target load/floor <= 2x. Longest task: the longest in all runs.');
  loadTable(out, runs, median);
  const idle = median(runs.map((r) => r.idleP95));
  out(`\n2. Sort and filter in that page: from the input event to the end of the first frame showing the changed list`);
  out(`   (median of ${runs.length}; target <= 100 ms; frames = ms / the page's idle frame p95, ${f(idle)} ms median)`);
  const widths = [38, 8, 8, 14, 30];
  out(row(['input', 'ms', 'frames', 'longest task', 'each run (ms)'], widths));
  const cases = [['sort: click the Duration header', 'sort'], [`filter: service ${service}`, 'service'],
    [`filter: min duration (the p50) + Enter`, 'min']];
  for (const [label, k] of cases) {
    const ms = runs.map((r) => r[k].list);
    out(row([label, f(median(ms)), f(median(runs.map((r) => r[k].list / r.idleP95))),
      f(Math.max(...runs.map((r) => r[k].longestTaskMs))), ms.map((x) => f(x, 0)).join(' ')], widths));
  }
  out(`   lists: ${r0.count} -> sorted; ${r0.serviceCount} (${service}); ${r0.minCount} (>= ${r0.minTyped})`);
  out(`\n3. Where the time went across the listed traces: from the filter's input to the end of the first frame showing`);
  out(`   the new sentence (median; target <= 500 ms). The panel recomputes ${debounceMs} ms after the list settles, so`);
  out(`   "less the debounce" is the figure less ${debounceMs} ms: the work and the drawing alone.`);
  const w3 = [38, 10, 20, 16];
  out(row(['filter', 'ms', `less ${debounceMs} ms debounce`, 'each run (ms)'], w3));
  for (const [label, k] of cases.slice(1)) {
    const ms = runs.map((r) => r[k].insight);
    out(row([label, f(median(ms)), f(median(ms) - debounceMs), ms.map((x) => f(x, 0)).join(' ')], w3));
  }
}

function compareSection(out, runs, median) {
  const m = (get) => median(runs.map(get));
  out(`\n4. Comparison of compare-a.json + compare-b.json (${runs[0].spans} spans, ${f(runs[0].bytes / 1e6, 0)} MB), median of ${runs.length}`);
  out(`   (a) both picked at once -> comparison shown (load included), against JSON.parse of both files in the same page;`);
  out(`   (b) warm: back to the list, pick the two rows, click compare-picked -> comparison shown (target <= 200 ms).`);
  const w = [11, 10, 11, 13, 15, 15, 13];
  out(row(['(a) load', 'floor', 'load/floor', 'longest task', 'back to list', '(b) compare', 'longest task'], w));
  out(row([f(m((r) => r.loadMs)), f(m((r) => r.floorMs)), x2(m((r) => r.ratio)), f(Math.max(...runs.map((r) => r.longestTaskMs))),
    f(m((r) => r.back.list)), f(m((r) => r.warm.compare)), f(Math.max(...runs.map((r) => r.warm.longestTaskMs)))], w));
  out(`   each run (a)/(b) ms: ${runs.map((r) => `${f(r.loadMs, 0)}/${f(r.warm.compare, 0)}`).join('  ')}`);
  out(`   summary: ${runs[0].summary}`);
}

function switchingSection(out, byFile, median) {
  out('\n5. Files of 5,000 and 20,000 traces of 20 spans: the browser shown (floor: JSON.parse of each line, same page),');
  out('   then from the list open a trace (click a row -> waterfall shown), back to the list, open another (ms, medians).');
  const w = [14, 9, 6, 9, 9, 11, 13, 24, 10, 8, 12];
  out(row(['file', 'spans', 'MB', 'load', 'floor', 'load/floor', 'longest task', 'elements settled (shown)', 'open row', 'back', 'open another'], w));
  for (const [file, runs] of Object.entries(byFile)) {
    const m = (get) => median(runs.map(get));
    out(row([file, runs[0].spans, f(runs[0].bytes / 1e6, 0), f(m((r) => r.loadMs)), f(m((r) => r.floorMs)), x2(m((r) => r.ratio)),
      f(Math.max(...runs.map((r) => r.longestTaskMs))), `${m((r) => r.elementsSettled)} (${m((r) => r.elementsShown)})`,
      f(m((r) => r.open.trace)), f(m((r) => r.back.list)), f(m((r) => r.openAnother.trace))], w));
  }
  out('   longest task while switching (open / back / open another, the longest in all runs):');
  for (const [file, runs] of Object.entries(byFile)) {
    out(`   ${file}: ${['open', 'back', 'openAnother'].map((k) => f(Math.max(...runs.map((r) => r[k].longestTaskMs)))).join(' / ')} ms`);
  }
}

function elementsSection(out, runs, median) {
  const r0 = runs[0];
  out(`\n6. ${r0.count} (3 spans each): elements once the browser shows (target: the list, i.e. the trace table, about`);
  out('   2,000 at most whatever the number of traces); page = the whole document; rows = trace rows in the DOM.');
  const w = [22, 8, 8, 8, 20];
  out(row(['where', 'page', 'list', 'rows', 'scroll -> shown (ms)'], w));
  for (const [label, k] of [['top', 'top'], ['middle', 'middle'], ['end', 'end']]) {
    const e = r0[k];
    const ms = runs.map((r) => r[k].ms).filter((x) => x !== undefined);
    out(row([`${label}${e.index ? ` (row ${e.index})` : ''}`, e.page, e.list, e.rows, ms.length ? f(median(ms)) : '-'], w));
  }
  const same = runs.every((r) => ['top', 'middle', 'end'].every((k) => r[k].page === r0[k].page));
  out(`   ${same ? 'the same in every run' : `per run (page top/middle/end): ${runs.map((r) => `${r.top.page}/${r.middle.page}/${r.end.page}`).join('  ')}`}`);
  out(`   load ${f(median(runs.map((r) => r.loadMs)))} ms, floor ${f(median(runs.map((r) => r.floorMs)))} ms, load/floor ${x2(median(runs.map((r) => r.ratio)))}, longest task ${f(Math.max(...runs.map((r) => r.longestTaskMs)))} ms`);
}

export function writeReport(results, dir, { median }) {
  const lines = [];
  const out = (line) => { lines.push(line); console.log(line); };
  out(`Files of many traces (tests/bench/set.mjs), ${results.runs} loads per case, each in a fresh browser context.`);
  out('Times end at the end of the first frame that shows the result (a message posted from its requestAnimationFrame).');
  set10kSection(out, results.set10k, median, results.debounceMs, results.filterService);
  compareSection(out, results.compare, median);
  switchingSection(out, results.switching, median);
  elementsSection(out, results.elements, median);
  out('\nload steps (window.__stitchLoadTimings), first run of each file:');
  out(`set-10k.jsonl ${JSON.stringify(results.set10k[0].steps)}`);
  out(`compare a+b   ${JSON.stringify(results.compare[0].steps)}`);
  for (const [file, runs] of Object.entries(results.switching)) out(`${file.padEnd(13)} ${JSON.stringify(runs[0].steps)}`);
  out(`set-100k.jsonl ${JSON.stringify(results.elements[0].steps)}`);
  const section = `## Files of many traces\n\nChromium ${results.browserVersion}, ${results.cpus}.\n\n` + '```\n' + lines.join('\n').trim() + '\n```\n';
  fs.writeFileSync(path.join(dir, 'report-set.md'), `# make bench: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n${section}`);
  const reportPath = path.join(dir, 'report.md');
  const old = fs.existsSync(reportPath) ? fs.readFileSync(reportPath, 'utf8') : '# make bench\n';
  const kept = old.includes(BEGIN) ? old.slice(0, old.indexOf(BEGIN)) + (old.includes(END) ? old.slice(old.indexOf(END) + END.length) : '') : old;
  fs.writeFileSync(reportPath, `${kept.trimEnd()}\n\n${BEGIN}\n${section}${END}\n`);
}
