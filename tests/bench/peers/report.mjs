// Helper of tests/bench/run.sh: records the load generator's output and writes the report.
//
//   node report.mjs record --scenario S1 --target ws --repeat 1 [--base-rss-kb N] [--error MSG]
//                          [--set key=value ...] [--pass-ratio 0.98 --pass-p99-ms 100] < loadgen.out
//     prints one JSON line: the load generator's object plus scenario, target, repeat, base_rss_kb
//     (the server's RSS before any client connected), each --set key (a number when it reads as
//     one), error (when the run failed) and, with --pass-ratio/--pass-p99-ms (an S2 step),
//     step_pass: no error, delivered_ratio >= the ratio and p99_ms <= the bound.
//   node report.mjs report --results results.jsonl --machine machine.json > benchmarks.md
//     medians and min-max per target, ratios of Samling to each peer (of the medians, and the
//     min-max of the per-round ratios, the rounds being run alternately), the issue's targets.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mediaSection, readRows } from './report-media.mjs';
import { cell, fmt, median, num } from './report-format.mjs';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
// Every value of a repeatable flag.
function args(name) {
  const out = [];
  for (let i = 2; i + 1 < process.argv.length; i++) if (process.argv[i] === name) out.push(process.argv[++i]);
  return out;
}

function record() {
  const text = readFileSync(0, 'utf8');
  let obj = null;
  try {
    obj = JSON.parse(text);
  } catch {
    // Not one JSON document: take the last line that is one.
    const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'));
    for (let i = lines.length - 1; i >= 0 && obj === null; i--) {
      try {
        obj = JSON.parse(lines[i]);
      } catch {}
    }
  }
  const out = {
    scenario: arg('--scenario'),
    target: arg('--target'),
    repeat: Number(arg('--repeat', '0')),
    base_rss_kb: Number(arg('--base-rss-kb', '0')),
  };
  const errors = [];
  if (arg('--error')) errors.push(arg('--error'));
  if (obj === null || typeof obj !== 'object') {
    errors.push(`no JSON from loadgen${text.trim() ? ': ' + text.trim().slice(0, 200) : ''}`);
    obj = {};
  }
  Object.assign(out, obj, { scenario: out.scenario, target: out.target, repeat: out.repeat });
  for (const kv of args('--set')) {
    const eq = kv.indexOf('=');
    if (eq <= 0) continue;
    const v = kv.slice(eq + 1);
    out[kv.slice(0, eq)] = v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  if (errors.length) out.error = errors.join('; ');
  if (arg('--pass-ratio') !== undefined || arg('--pass-p99-ms') !== undefined) {
    const minRatio = Number(arg('--pass-ratio', '0'));
    const maxP99 = Number(arg('--pass-p99-ms', 'Infinity'));
    out.step_pass =
      !out.error && num(out.delivered_ratio) >= minRatio && num(out.p99_ms) <= maxP99 && num(out.connections) > 0;
  }
  console.log(JSON.stringify(out));
}


const TARGET_NAMES = {
  samling: 'Samling',
  ws: '`ws` (Node.js)',
  socketio: '`socket.io` (Node.js)',
  raw: 'raw floor (C++)',
  lws: '`libwebsockets` hub (C)',
  gorilla: '`gorilla/websocket` hub (Go)',
};
// The two compiled hubs: S1's and S9's targets compare Samling with the better of them.
const HUBS = ['lws', 'gorilla'];

// Metrics per run. rss_per_conn_kb: growth of the server's RSS over its idle start, per connection.
const METRICS = [
  ['posts/s sent (all publishers)', (r) => num(r.offered_per_s)],
  ['deliveries/s', (r) => num(r.deliveries_per_s)],
  ['deliveries per server CPU-s', (r) => num(r.deliveries_per_cpu_s)],
  ['server CPU s', (r) => num(r.server_cpu_s), 2],
  // The load generator shares the machine: when it uses most of a CPU per core left over, the
  // latencies are its own queueing as much as the server's.
  ['load generator CPU s', (r) => num(r.loadgen_cpu_s), 2],
  ['p50 ms', (r) => num(r.p50_ms), 2],
  ['p99 ms', (r) => num(r.p99_ms), 2],
  ['p99.9 ms', (r) => num(r.p999_ms), 2],
  ['max ms', (r) => num(r.max_ms), 2],
  ['delivered / expected', (r) => num(r.delivered_ratio), 4],
  ['server RSS max MiB', (r) => num(r.server_rss_kb_max) / 1024, 1],
  ['steal %', (r) => num(r.steal_pct), 1],
  ['connect failures', (r) => num(r.connect_failures), 0],
  ['reading connections closed during the run', (r) => num(r.closed_during_run), 0],
  ['server error replies', (r) => num(r.server_errors), 0],
];
const IDLE_METRICS = [
  ['connections', (r) => num(r.connections), 0],
  ['server RSS at start MiB', (r) => num(r.base_rss_kb) / 1024, 1],
  ['server RSS max MiB', (r) => num(r.server_rss_kb_max) / 1024, 1],
  ['RSS growth per connection KiB', (r) => rssPerConn(r), 2],
  ['server CPU s', (r) => num(r.server_cpu_s), 2],
  ['steal %', (r) => num(r.steal_pct), 1],
  ['connect failures', (r) => num(r.connect_failures), 0],
];
function rssPerConn(r) {
  const c = num(r.connections);
  return c > 0 ? (num(r.server_rss_kb_max) - num(r.base_rss_kb)) / c : NaN;
}
const isIdle = (runs) => runs.every((r) => !(num(r.offered_per_s) > 0)) && runs.some((r) => num(r.connections) > 0);

// Ratios Samling / peer: [label, metric, higher_is_better]
const RATIOS = [
  ['deliveries per server CPU-s, Samling ÷ peer (higher is better)', (r) => num(r.deliveries_per_cpu_s)],
  // The inverse of the row above, shown for the raw floor target (CPU per delivery ≤ 1.5×).
  ['server CPU per delivery, Samling ÷ peer (lower is better)', (r) => num(r.deliveries_per_cpu_s), true],
  ['p50 latency, Samling ÷ peer (lower is better)', (r) => num(r.p50_ms)],
  ['p99 latency, Samling ÷ peer (lower is better)', (r) => num(r.p99_ms)],
  ['delivered/expected, Samling ÷ peer', (r) => num(r.delivered_ratio)],
];
const IDLE_RATIOS = [['RSS growth per connection, Samling ÷ peer (lower is better)', rssPerConn]];

// A ratio cell: Samling ÷ peer of the medians, with the min–max of the per-round ratios.
function ratioCell(samling, peer, f, invert = false) {
  const ratio = (a, b) => (invert ? b / a : a / b);
  const r = ratio(median(samling.map(f).filter(Number.isFinite)), median(peer.map(f).filter(Number.isFinite)));
  const paired = samling
    .map((s) => {
      const q = peer.find((x) => x.repeat === s.repeat);
      return q ? ratio(f(s), f(q)) : NaN;
    })
    .filter(Number.isFinite);
  const spread = paired.length > 1 ? ` (${fmt(Math.min(...paired), 2)}–${fmt(Math.max(...paired), 2)})` : '';
  return Number.isFinite(r) ? `${fmt(r, 2)}×${spread}` : '–';
}

// S2: every step is a run with step_rate and step_pass. Per target and round, the saturation
// rate is the highest rate that passed (0 when none did); `top` marks a target that passed the
// highest rate of the ladder (its saturation rate is at least that).
function s2Rounds(steps, ladderTop) {
  const rounds = new Map(); // target -> [{repeat, rate, top, steps}]
  for (const r of steps) {
    if (!rounds.has(r.target)) rounds.set(r.target, new Map());
    const m = rounds.get(r.target);
    if (!m.has(r.repeat)) m.set(r.repeat, []);
    m.get(r.repeat).push(r);
  }
  const out = new Map();
  for (const [target, m] of rounds) {
    out.set(
      target,
      [...m.entries()].map(([repeat, rs]) => {
        const passed = rs.filter((r) => r.step_pass).map((r) => num(r.step_rate));
        const rate = passed.length ? Math.max(...passed) : 0;
        const atRate = rs.find((r) => r.step_pass && num(r.step_rate) === rate);
        return { repeat, rate, top: rate >= ladderTop, steps: rs, at: atRate };
      }),
    );
  }
  return out;
}

function renderS2(p, meta, machine, all, targetsCheck) {
  const ladder = String(machine.s2_rates || '').split(/\s+/).filter(Boolean).map(Number);
  const ladderTop = ladder.length ? Math.max(...ladder) : Infinity;
  const ladderLow = ladder.length ? Math.min(...ladder) : 0;
  const rounds = s2Rounds(all, ladderTop);
  const targets = Object.keys(TARGET_NAMES).filter((t) => rounds.has(t));
  if (!targets.length) {
    p('No step was run.');
    p();
    return;
  }
  const satCell = (rs) => {
    const v = rs.map((x) => x.rate);
    const m = median(v);
    const show = (x) => (x === 0 ? `< ${fmt(ladderLow, 0)}` : rs.some((y) => y.top && y.rate === x) ? `≥ ${fmt(x, 0)}` : fmt(x, 0));
    return v.length === 1 ? show(v[0]) : `${show(m)} (${show(Math.min(...v))}–${show(Math.max(...v))})`;
  };
  p(`| metric | ${targets.map((t) => `${TARGET_NAMES[t]} (${rounds.get(t).length} rounds)`).join(' | ')} |`);
  p(`| --- | ${targets.map(() => '---:').join(' | ')} |`);
  p(`| saturation rate, msg/s | ${targets.map((t) => satCell(rounds.get(t))).join(' | ')} |`);
  const atSat = (label, f, digits) =>
    p(`| ${label} | ${targets.map((t) => cell(rounds.get(t).filter((x) => x.at).map((x) => f(x.at)), digits)).join(' | ')} |`);
  atSat('deliveries/s at that rate', (r) => num(r.deliveries_per_s));
  atSat('deliveries per server CPU-s at that rate', (r) => num(r.deliveries_per_cpu_s));
  atSat('p99 ms at that rate', (r) => num(r.p99_ms), 2);
  atSat('server RSS max MiB at that rate', (r) => num(r.server_rss_kb_max) / 1024, 1);
  atSat('steal % at that rate', (r) => num(r.steal_pct), 1);
  p(`| steps run | ${targets.map((t) => cell(rounds.get(t).map((x) => x.steps.length), 0)).join(' | ')} |`);
  p();
  const samling = rounds.get('samling');
  const peers = targets.filter((t) => t !== 'samling');
  if (samling && peers.length) {
    p(`| ratio | ${peers.map((t) => `vs ${TARGET_NAMES[t]}`).join(' | ')} |`);
    p(`| --- | ${peers.map(() => '---:').join(' | ')} |`);
    const rate = (x) => (x.rate > 0 ? x.rate : NaN);
    p(`| saturation rate, Samling ÷ peer (higher is better) | ${peers.map((t) => ratioCell(samling, rounds.get(t), rate)).join(' | ')} |`);
    p();
  }
  // Every step: passed or not, p99 and delivered/expected; one line per round.
  const rates = [...new Set(all.map((r) => num(r.step_rate)))].filter(Number.isFinite).sort((a, b) => a - b);
  const repeats = [...new Set(all.map((r) => r.repeat))].sort((a, b) => a - b);
  p('Every step (✓ passed, ✗ failed: p99 ms, delivered/expected; rounds separated by " / "):');
  p();
  p(`| msg/s | ${targets.map((t) => TARGET_NAMES[t]).join(' | ')} |`);
  p(`| ---: | ${targets.map(() => '---').join(' | ')} |`);
  for (const rate of rates) {
    const cells = targets.map((t) =>
      repeats
        .map((rep) => {
          const r = all.find((x) => x.target === t && x.repeat === rep && num(x.step_rate) === rate);
          if (!r) return '·';
          if (r.error) return `✗ ${r.error.slice(0, 40)}`;
          return `${r.step_pass ? '✓' : '✗'} ${fmt(num(r.p99_ms), 1)} ms, ${fmt(100 * num(r.delivered_ratio), 1)} %`;
        })
        .join(' / '),
    );
    p(`| ${fmt(rate, 0)} | ${cells.join(' | ')} |`);
  }
  p();
  if (samling && rounds.has('ws')) {
    const med = (rs) => median(rs.map((x) => x.rate));
    const s = med(samling), w = med(rounds.get('ws'));
    const v = w > 0 ? s / w : NaN;
    const value = w > 0 ? `${fmt(v, 2)}× (${fmt(s, 0)} ÷ ${fmt(w, 0)} msg/s)` : `– (ws below ${fmt(ladderLow, 0)} msg/s)`;
    targetsCheck.push(["S2: Samling's saturation rate ≥ 3× the `ws` peer's", value, v >= 3]);
  }
}

// S8: the stopped readers, the server's closes, RSS over time, and the reading subscribers' p99
// against S1's p99 of the same target in the same run.
function renderS8(p, machine, byTarget, targets, runs, targetsCheck) {
  const s1 = new Map();
  for (const r of runs.filter((x) => x.scenario === 'S1' && !x.error)) {
    if (!s1.has(r.target)) s1.set(r.target, []);
    s1.get(r.target).push(r);
  }
  const mib = (kb) => num(kb) / 1024;
  const rows = [
    ['stopped readers', (r) => num(r.stopped_readers), 0],
    ['closed by the server (seen when they read again)', (r) => num(r.slow_closed), 0],
    ['… of those with a 4008 close frame', (r) => num(r.slow_closed_4008), 0],
    ['still open at the end of the drain', (r) => num(r.slow_open), 0],
    ['… of those read up to the last post sent to the room', (r) => num(r.slow_caught_up), 0],
    ["server's own count of 4008 closes (Samling /metrics)", (r) => num(r.server_slow_consumer_closes), 0],
    ['reading connections closed', (r) => num(r.closed_during_run), 0],
    ['server RSS at start of measurement MiB', (r) => mib(r.server_rss_kb_start), 1],
    ['server RSS max MiB', (r) => mib(r.server_rss_kb_max), 1],
    ['server RSS at end MiB', (r) => mib(r.server_rss_kb_end), 1],
    ['server RSS max − start MiB', (r) => mib(r.server_rss_kb_max) - mib(r.server_rss_kb_start), 1],
  ];
  p('Slow consumers and memory:');
  p();
  p(`| metric | ${targets.map((t) => TARGET_NAMES[t]).join(' | ')} |`);
  p(`| --- | ${targets.map(() => '---:').join(' | ')} |`);
  for (const [label, f, digits] of rows)
    p(`| ${label} | ${targets.map((t) => cell(byTarget.get(t).map(f), digits)).join(' | ')} |`);
  const p99 = (r) => num(r.p99_ms);
  p(
    `| reading subscribers' p99 ÷ S1's p99, same target (lower is better; target ≤ 1.10) | ${targets
      .map((t) => (s1.has(t) ? ratioCell(byTarget.get(t), s1.get(t), p99) : 'S1 not in this run'))
      .join(' | ')} |`,
  );
  p();
  p('Server RSS over the measured period, MiB, one sample a second (each round):');
  p();
  for (const t of targets)
    for (const r of byTarget.get(t)) {
      const series = Array.isArray(r.rss_kb_series) ? r.rss_kb_series : [];
      p(`- ${TARGET_NAMES[t]}, round ${r.repeat}: ${series.map((kb) => fmt(kb / 1024, 1)).join(' ') || '–'}`);
    }
  p();
  const sam = byTarget.get('samling');
  if (sam) {
    const med = (f) => median(sam.map(f).filter(Number.isFinite));
    if (s1.has('samling')) {
      // Only a like-for-like comparison counts: every post sent and delivered, no reader closed.
      const v = med(p99) / median(s1.get('samling').map(p99).filter(Number.isFinite));
      const closedReaders = med((r) => num(r.closed_during_run));
      const ratio = med((r) => num(r.delivered_ratio));
      const sent = med((r) => num(r.offered_per_s)) / median(s1.get('samling').map((r) => num(r.offered_per_s)));
      const whole = closedReaders === 0 && ratio >= 0.98 && sent >= 0.98;
      targetsCheck.push([
        "S8: reading subscribers' p99 within 10 % of S1's (Samling)",
        `${fmt(v, 2)}×${whole ? '' : ` (not comparable: ${fmt(closedReaders, 0)} reading connections closed, ${fmt(100 * sent, 0)} % of S1's posts sent, ${fmt(100 * ratio, 1)} % delivered)`}`,
        v <= 1.1 && whole,
      ]);
    } else targetsCheck.push(["S8: reading subscribers' p99 within 10 % of S1's (Samling)", '– (S1 not run)', false]);
    const stopped = med((r) => num(r.stopped_readers));
    const closed = med((r) => num(r.slow_closed));
    const readersClosed = med((r) => num(r.closed_during_run));
    targetsCheck.push([
      'S8: Samling closes every stopped reader (4008) and no reading one',
      `${fmt(closed, 0)} of ${fmt(stopped, 0)} closed; ${fmt(readersClosed, 0)} readers closed`,
      closed >= stopped && stopped > 0 && readersClosed === 0,
    ]);
    const growth = med((r) => mib(r.server_rss_kb_max) - mib(r.server_rss_kb_start));
    const bound = (stopped * num(machine.s8_queue_bytes)) / 1048576;
    targetsCheck.push([
      `S8: Samling's RSS growth within the stopped readers' queue bound (${fmt(stopped, 0)} × ${fmt(num(machine.s8_queue_bytes) / 1048576, 1)} MiB)`,
      `${fmt(growth, 1)} MiB`,
      growth <= bound,
    ]);
  }
}

// S5: request/response round trips. Each run's record has rtt_<kind>_<clients>_* fields, one set
// per phase (kind ping or post; clients 1 or 100).
function s5Variants(runs) {
  const seen = new Set();
  for (const r of runs)
    for (const k of Object.keys(r)) {
      const m = /^rtt_(ping|post)_(\d+)_p50_us$/.exec(k);
      if (m) seen.add(`${m[1]}_${m[2]}`);
    }
  return [...seen].sort((a, b) => {
    const [ka, na] = a.split('_'), [kb, nb] = b.split('_');
    return Number(na) - Number(nb) || (ka === 'ping' ? -1 : 1) - (kb === 'ping' ? -1 : 1);
  });
}
const s5Label = (v) => {
  const [kind, n] = v.split('_');
  return `${kind}, ${n} client${n === '1' ? '' : 's'}`;
};
// A run's figure for a variant, only when that phase measured something without errors.
const s5Field = (v, field) => (r) =>
  num(r[`rtt_${v}_count`]) > 0 && !(num(r[`rtt_${v}_errors`]) > 0) ? num(r[`rtt_${v}_${field}`]) : NaN;

function renderS5(p, byTarget, targets, targetsCheck) {
  const variants = s5Variants([...byTarget.values()].flat());
  if (!variants.length) {
    p('No round trip was measured.');
    p();
    return;
  }
  p('Round trips in µs (each client: send, wait for the reply, send the next):');
  p();
  p(`| round trip | ${targets.map((t) => `${TARGET_NAMES[t]} (${byTarget.get(t).length} runs)`).join(' | ')} |`);
  p(`| --- | ${targets.map(() => '---:').join(' | ')} |`);
  for (const v of variants) {
    const row = (label, f, digits) =>
      p(`| ${label} | ${targets.map((t) => cell(byTarget.get(t).map(f), digits)).join(' | ')} |`);
    row(`**${s5Label(v)}: median µs**`, s5Field(v, 'p50_us'), 1);
    row(`${s5Label(v)}: p99 µs`, s5Field(v, 'p99_us'), 1);
    row(`${s5Label(v)}: round trips measured`, (r) => num(r[`rtt_${v}_count`]), 0);
    row(`${s5Label(v)}: requests/s (all clients, warm-up included)`, s5Field(v, 'per_s'), 0);
    row(`${s5Label(v)}: errors (replies lost or refused)`, (r) => num(r[`rtt_${v}_errors`]), 0);
  }
  p(`| server CPU s (all phases) | ${targets.map((t) => cell(byTarget.get(t).map((r) => num(r.server_cpu_s)), 2)).join(' | ')} |`);
  p(`| load generator CPU s (all phases) | ${targets.map((t) => cell(byTarget.get(t).map((r) => num(r.loadgen_cpu_s)), 2)).join(' | ')} |`);
  p(`| steal % | ${targets.map((t) => cell(byTarget.get(t).map((r) => num(r.steal_pct)), 1)).join(' | ')} |`);
  p();
  // A run cut off by the load generator's time budget has phases missing or short.
  const cut = [...byTarget.values()].flat().filter((r) => r.end !== 'complete');
  if (cut.length)
    p(`**Incomplete runs** (the time budget ended them; their figures cover what was measured): ${cut.map((r) => `${TARGET_NAMES[r.target]} round ${r.repeat}: ${r.end}, ${fmt(num(r.rtt_phases_done), 0)} phase(s) done`).join('; ')}.\n`);
  const samling = byTarget.get('samling');
  const peers = targets.filter((t) => t !== 'samling');
  if (samling && peers.length) {
    p(`| median round trip, Samling ÷ peer (lower is better) | ${peers.map((t) => `vs ${TARGET_NAMES[t]}`).join(' | ')} |`);
    p(`| --- | ${peers.map(() => '---:').join(' | ')} |`);
    for (const v of variants)
      p(`| ${s5Label(v)} | ${peers.map((t) => ratioCell(samling, byTarget.get(t), s5Field(v, 'p50_us'))).join(' | ')} |`);
    p();
  }
  const med = (t, f) => (byTarget.has(t) ? median(byTarget.get(t).map(f).filter(Number.isFinite)) : NaN);
  for (const v of variants) {
    const f = s5Field(v, 'p50_us');
    const s = med('samling', f);
    const raw = med('raw', f);
    const ws = med('ws', f);
    const us = (x) => `${fmt(x, 1)} µs`;
    targetsCheck.push([
      `S5 ${s5Label(v)}: Samling's median round trip ≤ 1.5× the raw floor's`,
      Number.isFinite(s) && Number.isFinite(raw) ? `${fmt(s / raw, 2)}× (${us(s)} vs ${us(raw)})` : '– (not measured)',
      s / raw <= 1.5,
    ]);
    targetsCheck.push([
      `S5 ${s5Label(v)}: Samling's median round trip ≤ the \`ws\` peer's`,
      Number.isFinite(s) && Number.isFinite(ws) ? `${fmt(s / ws, 2)}× (${us(s)} vs ${us(ws)})` : '– (not measured)',
      s / ws <= 1,
    ]);
  }
}

// The better of the two hubs for a metric: [target, its median] (higher or lower is better).
function bestHub(byTarget, f, higherIsBetter) {
  let best = null;
  for (const t of HUBS) {
    if (!byTarget.has(t)) continue;
    const v = median(byTarget.get(t).map(f).filter(Number.isFinite));
    if (!Number.isFinite(v)) continue;
    if (!best || (higherIsBetter ? v > best[1] : v < best[1])) best = [t, v];
  }
  return best;
}

function report() {
  const machine = JSON.parse(readFileSync(arg('--machine'), 'utf8'));
  const runs = readFileSync(arg('--results'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
  const L = [];
  const p = (s = '') => L.push(s);

  p('# Benchmarks against peers');
  p();
  p('Samling measured side by side with the servers a user would pick instead, in one run, the');
  p('targets alternating (Samling, `ws`, `socket.io`, raw floor, a `libwebsockets` hub in C and a');
  p('`gorilla/websocket` hub in Go, then again), each run against a fresh server process. These');
  p('machines are shared and noisy, so read the **ratios** and the spread, not the absolute');
  p('figures. Written by `tests/bench/run.sh` (issues 5 and 12). What the server');
  p('changed for these targets, what each change measured, and what is still missed:');
  p('[performance.md](performance.md).');
  p();
  p('## This run');
  p();
  if (machine.quick || machine.repeats < 3)
    p(`**A short check of the pipeline (${machine.quick ? 'BENCH_QUICK=1, ' : ''}${machine.repeats} round(s)), not figures to quote.**\n`);
  p(`- Date: ${machine.start} – ${machine.end} (UTC)`);
  p(`- Machine: ${machine.nproc} CPUs, ${machine.cpu}, ${fmt(machine.mem_kb / 1048576, 1)} GiB RAM`);
  p(`- Kernel: ${machine.kernel}`);
  p(`- CPU steal over the whole run: **${fmt(machine.steal_pct, 1)} %** (per run in the tables)`);
  p(`- Load average (1 min) before the first run: ${fmt(machine.load_start, 2)}; after the last: ${fmt(machine.load_end, 2)}`);
  if (machine.load_start > 0.25 * machine.nproc)
    p(`  **Other work was running on the machine when this run started: it competes with the servers and the load generator for the CPUs, so latencies and deliveries/s are inflated and noisy.**`);
  p(`- Samling commit ${machine.commit}; Node.js ${machine.node}, ws ${machine.ws}, socket.io ${machine.socketio}${machine.lws ? `; libwebsockets ${machine.lws}` : ''}${machine.gorilla ? `; gorilla/websocket ${machine.gorilla} (${machine.go})` : ''}`);
  if (machine.hub_scenarios)
    p(`- The \`libwebsockets\` and \`gorilla/websocket\` hubs run in ${machine.hub_scenarios} only (BENCH_HUB_SCENARIOS)`);
  p(`- ${machine.repeats} round(s) per scenario; ${machine.warmup_s} s warm-up, ${machine.duration_s} s measured (idle scenarios: ${machine.idle_duration_s} s${'S8' in machine.scenarios ? `, S8: ${machine.s8_duration_s} s` : ''}${'S2' in machine.scenarios ? `, S2 steps: ${machine.step_warmup_s} s warm-up + ${machine.step_duration_s} s` : ''})`);
  p(`- Raw results: \`${machine.results}\` (not committed)`);
  p();
  p('Cells are the median over the rounds, with the min–max across rounds in parentheses.');
  p('Ratios are Samling ÷ peer of the medians; in parentheses the min–max of the per-round ratios');
  p('(each round runs Samling and the peer back to back, so a round\'s ratio shares its noise).');
  p();

  const targetsCheck = [];
  let s1Latency = null; // S1 per target: [target, deliveries per CPU-s, p50, p99] (medians)
  for (const [scenario, meta] of Object.entries(machine.scenarios)) {
    const all = runs.filter((r) => r.scenario === scenario);
    const ok = all.filter((r) => !r.error);
    const byTarget = new Map();
    for (const r of ok) {
      if (!byTarget.has(r.target)) byTarget.set(r.target, []);
      byTarget.get(r.target).push(r);
    }
    const targets = Object.keys(TARGET_NAMES).filter((t) => byTarget.has(t));
    const idle = isIdle(ok);
    const metrics = idle ? IDLE_METRICS : METRICS;
    p(`## ${scenario}: ${meta.what}`);
    p();
    p(`Load generator: \`${meta.args}\``);
    p();
    if (meta.notes) {
      p(meta.notes);
      p();
    }
    if (scenario === 'S2') {
      renderS2(p, meta, machine, all, targetsCheck);
      continue;
    }
    if (scenario === 'S5') {
      if (!targets.length) {
        p('No successful run.');
        p();
      } else renderS5(p, byTarget, targets, targetsCheck);
      const failedS5 = all.filter((r) => r.error);
      if (failedS5.length) {
        p(`Failed runs (left out above): ${failedS5.map((r) => `${r.target} round ${r.repeat}: ${r.error}`).join('; ')}.`);
        p();
      }
      continue;
    }
    if (scenario === 'S8')
      p("Latency and delivered/expected below are the **reading** subscribers' only.\n");
    if (!targets.length) {
      p('No successful run.');
      p();
    } else {
      p(`| metric | ${targets.map((t) => `${TARGET_NAMES[t]} (${byTarget.get(t).length} runs)`).join(' | ')} |`);
      p(`| --- | ${targets.map(() => '---:').join(' | ')} |`);
      for (const [label, f, digits] of metrics)
        p(`| ${label} | ${targets.map((t) => cell(byTarget.get(t).map(f), digits)).join(' | ')} |`);
      p();
      const samling = byTarget.get('samling');
      const peers = targets.filter((t) => t !== 'samling');
      if (samling && peers.length) {
        p(`| ratio | ${peers.map((t) => `vs ${TARGET_NAMES[t]}`).join(' | ')} |`);
        p(`| --- | ${peers.map(() => '---:').join(' | ')} |`);
        for (const [label, f, invert] of idle ? IDLE_RATIOS : RATIOS) {
          const cells = peers.map((t) => ratioCell(samling, byTarget.get(t), f, invert));
          p(`| ${label} | ${cells.join(' | ')} |`);
        }
        p();
      }
      // The issue's targets for this scenario.
      const med = (t, f) => (byTarget.has(t) ? median(byTarget.get(t).map(f).filter(Number.isFinite)) : NaN);
      const dpc = (r) => num(r.deliveries_per_cpu_s);
      if (scenario === 'S1') {
        const p99 = (r) => num(r.p99_ms);
        const vsWs = med('samling', dpc) / med('ws', dpc);
        const p99VsWs = med('samling', p99) / med('ws', p99);
        const cpuVsRaw = med('raw', dpc) / med('samling', dpc);
        targetsCheck.push([
          'S1: deliveries per server CPU-s ≥ 3× the `ws` peer, and p99 ≤ 2× its p99 in the same run',
          byTarget.has('ws')
            ? `${fmt(vsWs, 2)}×; p99 ${fmt(p99VsWs, 2)}× (${fmt(med('samling', p99), 2)} vs ${fmt(med('ws', p99), 2)} ms)`
            : '– (ws not run)',
          vsWs >= 3 && p99VsWs <= 2,
        ]);
        targetsCheck.push(['S1: server CPU per delivery ≤ 1.5× the raw floor\'s', `${fmt(cpuVsRaw, 2)}×`, cpuVsRaw <= 1.5]);
        const best = bestHub(byTarget, dpc, true);
        const vsHub = best ? med('samling', dpc) / best[1] : NaN;
        targetsCheck.push([
          'S1: deliveries per server CPU-s ≥ 1.0× the better of the `libwebsockets` and `gorilla/websocket` hubs (goal 1.5×)',
          best
            ? `${fmt(vsHub, 2)}× (${TARGET_NAMES[best[0]]}: ${fmt(best[1], 0)}/CPU-s)${vsHub >= 1.5 ? ', goal met' : ', goal 1.5× not met'}`
            : '– (no hub run)',
          vsHub >= 1,
        ]);
        s1Latency = targets.map((t) => [t, med(t, dpc), med(t, (r) => num(r.p50_ms)), med(t, p99)]);
      }
      if (scenario === 'S9') {
        const perConn = med('samling', rssPerConn);
        targetsCheck.push(['S9: ≤ 10 KiB server RSS per idle connection', `${fmt(perConn, 2)} KiB`, perConn <= 10]);
        const best = bestHub(byTarget, rssPerConn, false);
        targetsCheck.push([
          'S9: server RSS per idle connection ≤ the better of the `libwebsockets` and `gorilla/websocket` hubs',
          best ? `${fmt(perConn, 2)} vs ${fmt(best[1], 2)} KiB (${TARGET_NAMES[best[0]]})` : '– (no hub run)',
          perConn <= (best ? best[1] : NaN),
        ]);
      }
      if (scenario === 'S8') renderS8(p, machine, byTarget, targets, runs, targetsCheck);
    }
    const failed = all.filter((r) => r.error);
    if (failed.length) {
      p(`Failed runs (left out above): ${failed.map((r) => `${r.target} round ${r.repeat}: ${r.error}`).join('; ')}.`);
      p();
    }
  }

  const mediaResults = join(dirname(machine.results), 'media.jsonl');
  const haveMedia = existsSync(mediaResults);
  if (haveMedia) {
    const mm = mediaResults.replace(/\.jsonl$/, '.machine.json');
    p(mediaSection(readRows(mediaResults), existsSync(mm) ? JSON.parse(readFileSync(mm, 'utf8')) : null));
  }
  p('## Targets (issues 5 and 12)');
  p();
  if (targetsCheck.length) {
    p('| target | this run | met |');
    p('| --- | ---: | :---: |');
    for (const [what, value, met] of targetsCheck)
      p(`| ${what} | ${value} | ${value.startsWith('–') ? 'not measured' : met ? 'yes' : '**no**'} |`);
  } else p('None measured in this run.');
  p();
  if (s1Latency) {
    // Efficiency and latency side by side: a server that is cheap per delivery but slow is no win.
    p('S1 next to every peer (medians; Samling ÷ peer in parentheses):');
    p();
    const sam = s1Latency.find(([t]) => t === 'samling');
    const rel = (v, i) => (sam && Number.isFinite(v) && v > 0 ? ` (${fmt(sam[i] / v, 2)}×)` : '');
    p('| target | deliveries per server CPU-s | p50 ms | p99 ms |');
    p('| --- | ---: | ---: | ---: |');
    for (const row of s1Latency) {
      const [t, d, p50, p99] = row;
      const self = t === 'samling';
      p(`| ${TARGET_NAMES[t]} | ${fmt(d, 0)}${self ? '' : rel(d, 1)} | ${fmt(p50, 2)}${self ? '' : rel(p50, 2)} | ${fmt(p99, 2)}${self ? '' : rel(p99, 3)} |`);
    }
    p();
  }
  const missing = ['S1', 'S2', 'S3', 'S4', 'S5', 'S8', 'S9'].filter((s) => !(s in machine.scenarios));
  if (!haveMedia) missing.push('HLS serving against nginx', 'relay CPU against `ffmpeg -c copy` (BENCH_MEDIA=0)');
  p(missing.length ? `Not measured in this run: ${missing.join(', ')}.` : 'Every scenario was measured in this run (media targets in their own table above).');
  p();
  p('## How to run');
  p();
  p('```sh');
  p('bash tests/bench/run.sh                 # installs the peers, builds, runs S1 S2 S3 S4 S5 S8 S9, writes this file');
  p('BENCH_QUICK=1 bash tests/bench/run.sh   # the same pipeline with 5 s runs (3 s S2 steps) and one round');
  p('BENCH_SCENARIOS="S1 S8" BENCH_REPEATS=5 BENCH_DURATION=30 bash tests/bench/run.sh');
  p('BENCH_SCENARIOS=S2 BENCH_S2_RATES="50 100 200 400" BENCH_STEP_DURATION=10 bash tests/bench/run.sh');
  p('```');
  p();
  p('Needs Node.js and npm (for the peers), CMake, Ninja and the server\'s build dependencies');
  p('(`deploy/install-deps.sh`); the hubs\' Debian packages (`libwebsockets-dev`, `golang-go`,');
  p('`golang-github-gorilla-websocket-dev`) are installed by the script when missing. The script raises its own open-files limit (ulimit -n) up to the');
  p('hard limit, starts every server on 127.0.0.1 and stops it by its pid, and bounds every step');
  p('with a timeout. Other knobs are listed at the top of `tests/bench/run.sh`.');
  p();
  p('## What is measured');
  p();
  p('- **Targets.** Samling (`build-bench/bin/samling serve`, Release, seeded with the bench-only');
  p('  event `tests/bench/bench-event.json` (100 seminar rooms `r1`…`r100`, the room names every target');
  p('  gets), media off, access log off, rate limit raised to 60,000 posts/min per user with a burst');
  p(`  of 1,000, send queue 10,000 messages / 16 MiB, except in S8: ${machine.s8_queue_messages ?? 256} messages /`);
  p(`  ${fmt((machine.s8_queue_bytes ?? 1048576) / 1048576, 1)} MiB, Samling's defaults). Every load-generator connection is its own user.`);
  p('  `ws`: `tests/bench/peers/ws-server.mjs`, the common way a chat');
  p('  server is written on `ws` (a Map room → Set of sockets, the message stringified once,');
  p('  `socket.send` to each member). `socket.io`: `tests/bench/peers/socketio-server.mjs`, default');
  p('  namespace, `io.to(room).emit`, WebSocket transport only, no compression. Raw floor:');
  p('  `raw_floor`, one prebuilt frame and one write per delivery: what the machine allows.');
  p('  `libwebsockets` hub: `tests/bench/peers/lws-hub/lws-hub.c`, C on libwebsockets (Debian\'s');
  p('  package, its default poll loop, one service thread), written as lws\'s minimal examples: a');
  p('  per-session queue of shared, refcounted messages with `LWS_PRE` headroom,');
  p('  `lws_callback_on_writable` for every member, one `lws_write` per message in the writable');
  p('  callback until `lws_send_pipe_choked`. `gorilla/websocket` hub: `tests/bench/peers/gorilla-hub/`,');
  p('  Go on gorilla/websocket (Debian\'s package; GOMAXPROCS = CPUs), written as gorilla\'s');
  p('  `examples/chat`: a hub goroutine with register/unregister/broadcast channels, a read and a');
  p('  write goroutine per client with a send channel of 256 (a client whose channel is full is');
  p('  dropped, as in the example), one message per frame (one write each).');
  p('- **Protocol of the peers.** WebSocket text frames with JSON: `{"type":"join","room":"r1"}`,');
  p('  `{"type":"post","room":"r1","text":"…"}`; the server sends `{"type":"message","room":"r1","text":"…"}`');
  p('  to every member of the room, the sender included. socket.io: events `join` (room) and');
  p('  `post` ({room, text}); the server emits `message` ({room, text}) to the room. For S5 a request');
  p('  with a reply to the sender only: `{"type":"ping","id":N}` → `{"type":"pong","id":N}`');
  p('  (socket.io: event `ping` ({id}) → `pong` ({id})).');
  p('- **Load generator** (`loadgen`, C++, one process): holds all connections, paces publishers on');
  p('  a fixed schedule, embeds the intended send time in each message and measures latency at every');
  p('  receiver against it; counts expected vs delivered; reads the server\'s CPU time and peak RSS');
  p('  from `/proc` during the measured window, and the machine\'s steal time.');
  p('- **The load generator runs on the same machine** (its CPU seconds over the measured window are in');
  p('  the tables): where server CPU + load generator CPU ≈ CPUs × seconds, the machine is saturated');
  p('  and latencies and saturation rates are the machine\'s, not the server\'s alone.');
  p('- **Node.js is single-threaded, Samling uses every core**: deliveries per server CPU-second is');
  p('  the fair comparison of efficiency; deliveries/s at a fixed offered rate mostly shows whether');
  p('  a server keeps up. The Go hub, like Samling, uses every core; the `libwebsockets` hub one.');
  p();
  process.stdout.write(L.join('\n'));
}

const mode = process.argv[2];
if (mode === 'record') record();
else if (mode === 'report') report();
else {
  console.error('usage: node report.mjs record|report ...');
  process.exit(2);
}
