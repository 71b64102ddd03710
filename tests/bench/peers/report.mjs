// Helper of tests/bench/run.sh: records the load generator's output and writes the report.
//
//   node report.mjs record --scenario S1 --target ws --repeat 1 [--base-rss-kb N] [--error MSG] < loadgen.out
//     prints one JSON line: the load generator's object plus scenario, target, repeat, base_rss_kb
//     (the server's RSS before any client connected) and error (when the run failed).
//   node report.mjs report --results results.jsonl --machine machine.json > benchmarks.md
//     medians and min-max per target, ratios of Samling to each peer (of the medians, and the
//     min-max of the per-round ratios, the rounds being run alternately), the issue's targets.
import { readFileSync } from 'node:fs';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
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
  if (errors.length) out.error = errors.join('; ');
  console.log(JSON.stringify(out));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);

function fmt(v, digits) {
  if (!Number.isFinite(v)) return '–';
  if (digits === undefined) {
    const a = Math.abs(v);
    digits = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : 3;
  }
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
// "median (min–max)" of a list of numbers.
function cell(xs, digits) {
  const v = xs.filter(Number.isFinite);
  if (!v.length) return '–';
  if (v.length === 1) return fmt(v[0], digits);
  return `${fmt(median(v), digits)} (${fmt(Math.min(...v), digits)}–${fmt(Math.max(...v), digits)})`;
}

const TARGET_NAMES = {
  samling: 'Samling',
  ws: '`ws` (Node.js)',
  socketio: '`socket.io` (Node.js)',
  raw: 'raw floor (C++)',
};

// Metrics per run. rss_per_conn_kb: growth of the server's RSS over its idle start, per connection.
const METRICS = [
  ['deliveries/s', (r) => num(r.deliveries_per_s)],
  ['deliveries per server CPU-s', (r) => num(r.deliveries_per_cpu_s)],
  ['server CPU s', (r) => num(r.server_cpu_s), 2],
  ['p50 ms', (r) => num(r.p50_ms), 2],
  ['p99 ms', (r) => num(r.p99_ms), 2],
  ['p99.9 ms', (r) => num(r.p999_ms), 2],
  ['max ms', (r) => num(r.max_ms), 2],
  ['delivered / expected', (r) => num(r.delivered_ratio), 4],
  ['server RSS max MiB', (r) => num(r.server_rss_kb_max) / 1024, 1],
  ['steal %', (r) => num(r.steal_pct), 1],
  ['connect failures', (r) => num(r.connect_failures), 0],
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
  ['p99 latency, Samling ÷ peer (lower is better)', (r) => num(r.p99_ms)],
  ['delivered/expected, Samling ÷ peer', (r) => num(r.delivered_ratio)],
];
const IDLE_RATIOS = [['RSS growth per connection, Samling ÷ peer (lower is better)', rssPerConn]];

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
  p('targets alternating (Samling, `ws`, `socket.io`, raw floor, then again), each run against a');
  p('fresh server process. These machines are shared and noisy, so read the **ratios** and the');
  p('spread, not the absolute figures. Written by `tests/bench/run.sh` (issue 5).');
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
  p(`- Samling commit ${machine.commit}; Node.js ${machine.node}, ws ${machine.ws}, socket.io ${machine.socketio}`);
  p(`- ${machine.repeats} round(s) per scenario; ${machine.warmup_s} s warm-up, ${machine.duration_s} s measured (idle scenarios: ${machine.idle_duration_s} s)`);
  p(`- Raw results: \`${machine.results}\` (not committed)`);
  p();
  p('Cells are the median over the rounds, with the min–max across rounds in parentheses.');
  p('Ratios are Samling ÷ peer of the medians; in parentheses the min–max of the per-round ratios');
  p('(each round runs Samling and the peer back to back, so a round\'s ratio shares its noise).');
  p();

  const targetsCheck = [];
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
          const ratio = (a, b) => (invert ? b / a : a / b);
          const cells = peers.map((t) => {
            const peer = byTarget.get(t);
            const r = ratio(median(samling.map(f).filter(Number.isFinite)), median(peer.map(f).filter(Number.isFinite)));
            const paired = samling
              .map((s) => {
                const q = peer.find((x) => x.repeat === s.repeat);
                return q ? ratio(f(s), f(q)) : NaN;
              })
              .filter(Number.isFinite);
            const spread = paired.length > 1 ? ` (${fmt(Math.min(...paired), 2)}–${fmt(Math.max(...paired), 2)})` : '';
            return Number.isFinite(r) ? `${fmt(r, 2)}×${spread}` : '–';
          });
          p(`| ${label} | ${cells.join(' | ')} |`);
        }
        p();
      }
      // The issue's targets for this scenario.
      const med = (t, f) => (byTarget.has(t) ? median(byTarget.get(t).map(f).filter(Number.isFinite)) : NaN);
      const dpc = (r) => num(r.deliveries_per_cpu_s);
      if (scenario === 'S1') {
        const vsWs = med('samling', dpc) / med('ws', dpc);
        const cpuVsRaw = med('raw', dpc) / med('samling', dpc);
        targetsCheck.push(['S1: deliveries per server CPU-s ≥ 3× the `ws` peer', `${fmt(vsWs, 2)}×`, vsWs >= 3]);
        targetsCheck.push(['S1: server CPU per delivery ≤ 1.5× the raw floor\'s', `${fmt(cpuVsRaw, 2)}×`, cpuVsRaw <= 1.5]);
      }
      if (scenario === 'S9') {
        const perConn = med('samling', rssPerConn);
        targetsCheck.push(['S9: ≤ 10 KiB server RSS per idle connection', `${fmt(perConn, 2)} KiB`, perConn <= 10]);
      }
    }
    const failed = all.filter((r) => r.error);
    if (failed.length) {
      p(`Failed runs (left out above): ${failed.map((r) => `${r.target} round ${r.repeat}: ${r.error}`).join('; ')}.`);
      p();
    }
  }

  p('## Targets (issue 5)');
  p();
  if (targetsCheck.length) {
    p('| target | this run | met |');
    p('| --- | ---: | :---: |');
    for (const [what, value, met] of targetsCheck)
      p(`| ${what} | ${value} | ${value.startsWith('–') ? 'not measured' : met ? 'yes' : '**no**'} |`);
  } else p('None measured in this run.');
  p();
  p('Not yet measured: S2 (saturation rate, ≥ 3× `ws`), S3 (20 rooms × 100), S4 (100 publishers),');
  p('S8 (1 % of subscribers stop reading), HLS serving against nginx, relay CPU against');
  p('`ffmpeg -c copy`.');
  p();
  p('## How to run');
  p();
  p('```sh');
  p('bash tests/bench/run.sh                 # installs the peers, builds, runs S1 and S9, writes this file');
  p('BENCH_QUICK=1 bash tests/bench/run.sh   # the same pipeline with 5 s runs and one round');
  p('BENCH_SCENARIOS=S1 BENCH_REPEATS=5 BENCH_DURATION=30 bash tests/bench/run.sh');
  p('```');
  p();
  p('Needs Node.js and npm (for the peers), CMake, Ninja and the server\'s build dependencies');
  p('(`deploy/install-deps.sh`). The script raises its own open-files limit (ulimit -n) up to the');
  p('hard limit, starts every server on 127.0.0.1 and stops it by its pid, and bounds every step');
  p('with a timeout. Other knobs are listed at the top of `tests/bench/run.sh`.');
  p();
  p('## What is measured');
  p();
  p('- **Targets.** Samling (`build-bench/bin/samling serve`, Release, demo program seeded, media');
  p('  off, access log off, rate limit raised to 60,000 posts/min with a burst of 1,000, send queue');
  p('  10,000 messages / 16 MiB). `ws`: `tests/bench/peers/ws-server.mjs`, the common way a chat');
  p('  server is written on `ws` (a Map room → Set of sockets, the message stringified once,');
  p('  `socket.send` to each member). `socket.io`: `tests/bench/peers/socketio-server.mjs`, default');
  p('  namespace, `io.to(room).emit`, WebSocket transport only, no compression. Raw floor:');
  p('  `raw_floor`, one prebuilt frame and one write per delivery: what the machine allows.');
  p('- **Protocol of the peers.** WebSocket text frames with JSON: `{"type":"join","room":"r1"}`,');
  p('  `{"type":"post","room":"r1","text":"…"}`; the server sends `{"type":"message","room":"r1","text":"…"}`');
  p('  to every member of the room, the sender included. socket.io: events `join` (room) and');
  p('  `post` ({room, text}); the server emits `message` ({room, text}) to the room.');
  p('- **Load generator** (`loadgen`, C++, one process): holds all connections, paces publishers on');
  p('  a fixed schedule, embeds the intended send time in each message and measures latency at every');
  p('  receiver against it; counts expected vs delivered; reads the server\'s CPU time and peak RSS');
  p('  from `/proc` during the measured window, and the machine\'s steal time.');
  p('- **Node.js is single-threaded, Samling uses every core**: deliveries per server CPU-second is');
  p('  the fair comparison of efficiency; deliveries/s at a fixed offered rate mostly shows whether');
  p('  a server keeps up.');
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
