// The media part of the benchmark report (issue 5): HLS serving against nginx and relay CPU per
// destination against `ffmpeg -c copy`, from the JSON lines tests/bench/media.sh writes.
//
//   import { mediaSection } from './report-media.mjs';
//   const md = mediaSection(rows, machine);   // rows: parsed JSON lines; machine: the summary or null
//
//   node report-media.mjs --results media.jsonl [--machine media.machine.json]
//     prints the section (the machine summary defaults to <results without .jsonl>.machine.json).
//   node report-media.mjs --results media.jsonl --heading-level 3
//     the same one heading level lower (to nest it inside another report).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cell, fmt, median, num } from './report-format.mjs';


const TARGET_NAMES = {
  samling: 'Samling',
  nginx: 'nginx',
  ffmpeg: '`ffmpeg -c copy` × N',
};

// HLS: the server's CPU per request with the stage's own work (muxing the passthrough stream into
// .ts files, measured for 3 s before the load with no viewers) taken out; nginx has none.
function netCpuUsPerRequest(r) {
  const cpu = num(r.server_cpu_s);
  const ok = num(r.ok);
  const bg = (num(r.background_cpu_pct) || 0) / 100;
  const d = num(r.duration_s);
  if (!(ok > 0) || !Number.isFinite(cpu) || !Number.isFinite(d)) return NaN;
  return (1e6 * Math.max(0, cpu - bg * d)) / ok;
}

const HLS_METRICS = [
  ['segment requests/s', (r) => num(r.segments_per_s), 0],
  ['all requests/s (segments + playlists)', (r) => num(r.requests_per_s), 0],
  ['Mbit/s served', (r) => num(r.mbit_per_s), 0],
  ['server CPU, % of one core', (r) => 100 * num(r.server_cpu_s) / num(r.duration_s), 1],
  ['server CPU µs per request', (r) => num(r.server_cpu_us_per_request), 1],
  ['server CPU µs per request, stage work taken out', netCpuUsPerRequest, 1],
  ['stage work without viewers, % of one core', (r) => (r.target === 'samling' ? num(r.background_cpu_pct) : NaN), 1],
  ['p50 latency ms', (r) => num(r.p50_ms), 2],
  ['p99 latency ms', (r) => num(r.p99_ms), 2],
  ['max latency ms', (r) => num(r.max_ms), 1],
  ['server RSS max MiB', (r) => num(r.server_rss_kb_max) / 1024, 1],
  ['body bytes per request', (r) => num(r.bytes_per_request), 0],
  ['non-200 replies', (r) => num(r.non_200), 0],
  ['errors + timeouts + connect failures', (r) => num(r.errors) + num(r.timeouts) + num(r.connect_failures), 0],
  ['server processes / tasks', (r) => (r.target === 'nginx' ? num(r.server_pids) : num(r.server_threads)), 0],
  ['steal %', (r) => num(r.steal_pct), 1],
];
// [label, metric, invert]: Samling ÷ peer, or peer ÷ Samling when invert (so > 1 is Samling better
// only where said).
const HLS_RATIOS = [
  ['segment requests/s, Samling ÷ nginx (higher is better; target ≥ 1.0)', (r) => num(r.segments_per_s)],
  ['requests per server CPU-s, Samling ÷ nginx (higher is better)', (r) => num(r.requests_per_cpu_s)],
  ['the same with the stage work taken out (higher is better)', (r) => 1 / netCpuUsPerRequest(r)],
  ['p99 latency, Samling ÷ nginx (lower is better)', (r) => num(r.p99_ms)],
];

const RELAY_METRICS = [
  ['CPU per destination, % of one core', (r) => num(r.cpu_per_destination_pct), 2],
  ['CPU with N destinations, % of one core', (r) => num(r.cpuN_pct), 1],
  ['CPU with 0 destinations (the stage alone), % of one core', (r) => num(r.cpu0_pct), 1],
  ['RSS per destination MiB', (r) => num(r.rss_per_destination_kb) / 1024, 1],
  ['RSS with N destinations MiB', (r) => num(r.rss_kb) / 1024, 1],
  ['slowest destination received, kbit/s', (r) => num(r.delivered_min_kbps), 0],
  ['streams receiving', (r) => num(r.delivering_streams), 0],
  ['steal % (window with N)', (r) => num(r.steal_pct), 1],
];
const RELAY_RATIOS = [
  ['CPU per destination, Samling ÷ `ffmpeg -c copy` (lower is better; target ≤ 1.0)', (r) => num(r.cpu_per_destination_pct)],
  ['RSS per destination, Samling ÷ `ffmpeg -c copy` (lower is better)', (r) => num(r.rss_per_destination_kb)],
];

function table(p, byTarget, targets, metrics) {
  p(`| metric | ${targets.map((t) => `${TARGET_NAMES[t] ?? t} (${byTarget.get(t).length} runs)`).join(' | ')} |`);
  p(`| --- | ${targets.map(() => '---:').join(' | ')} |`);
  for (const [label, f, digits] of metrics) {
    const cells = targets.map((t) => cell(byTarget.get(t).map(f), digits));
    if (cells.every((c) => c === '–')) continue;
    p(`| ${label} | ${cells.join(' | ')} |`);
  }
  p();
}

// Ratio of the medians and the min–max of the per-round ratios (the rounds alternate the targets).
function ratio(samling, peer, f) {
  const r = median(samling.map(f).filter(Number.isFinite)) / median(peer.map(f).filter(Number.isFinite));
  const paired = samling
    .map((s) => {
      const q = peer.find((x) => x.repeat === s.repeat);
      return q ? f(s) / f(q) : NaN;
    })
    .filter(Number.isFinite);
  const spread = paired.length > 1 ? ` (${fmt(Math.min(...paired), 2)}–${fmt(Math.max(...paired), 2)})` : '';
  return { value: r, text: Number.isFinite(r) ? `${fmt(r, 2)}×${spread}` : '–' };
}

function group(rows, scenario) {
  const all = rows.filter((r) => r.scenario === scenario);
  const ok = all.filter((r) => !r.error);
  const byTarget = new Map();
  for (const r of ok) {
    if (!byTarget.has(r.target)) byTarget.set(r.target, []);
    byTarget.get(r.target).push(r);
  }
  return { all, ok, byTarget, failed: all.filter((r) => r.error) };
}

export function mediaSection(rows, machine = null, { headingLevel = 2 } = {}) {
  const h = (n) => '#'.repeat(headingLevel + n - 1);
  const L = [];
  const p = (s = '') => L.push(s);
  const targets = [];

  p(`${h(1)} Media: HLS serving and relaying`);
  p();
  p('Written by `tests/bench/media.sh` (issue 5). Each round runs the targets back to back with fresh');
  p('processes (HLS: Samling, nginx; relay: Samling with 0 destinations, Samling with N, N ffmpeg),');
  p('so read the **ratios** and their spread, not the absolute figures. Cells are the median over');
  p('the rounds with the min–max in parentheses; ratios are of the medians, with the min–max of the');
  p('per-round ratios in parentheses. CPU is from `/proc/<pid>/stat` (all threads; for nginx the');
  p('master and its workers summed), in % of one core over the measured window.');
  p();
  if (machine) {
    if (machine.quick || machine.repeats < 3)
      p(`**A short check of the pipeline (${machine.quick ? 'BENCH_QUICK=1, ' : ''}${machine.repeats} round(s)), not figures to quote.**\n`);
    p(`- Date: ${machine.start} – ${machine.end} (UTC); ${machine.nproc} CPUs, ${machine.cpu}; ${machine.kernel}`);
    p(`- CPU steal over the media runs: **${fmt(machine.steal_pct, 1)} %**; load average (1 min) ${fmt(machine.load_start, 2)} before, ${fmt(machine.load_end, 2)} after`);
    if (machine.load_start > 0.25 * machine.nproc)
      p('  **Other work was running on the machine when this run started: every figure is skewed by it.**');
    p(`- Samling commit ${machine.commit}; nginx ${machine.nginx}; ffmpeg ${machine.ffmpeg}; GStreamer ${machine.gstreamer || '?'}`);
    if (machine.source)
      p(`- Source: \`${machine.source.file}\`, ${machine.source.seconds} s of ${machine.source.size} H.264 (High, 30 fps, a keyframe every 2 s, CBR ${machine.source.video_kbps} kbit/s) + AAC 128 kbit/s, ${machine.source.kbps} kbit/s in all, generated once with ffmpeg (\`testsrc2\` + a sine)`);
    p(`- Raw results: \`${machine.results}\` (not committed)`);
    p();
  }

  // ---- HLS ----
  {
    const { byTarget, failed } = group(rows, 'HLS');
    const hp = machine?.hls ?? {};
    const any = rows.find((r) => r.scenario === 'HLS' && !r.error) ?? {};
    p(`${h(2)} HLS: segment requests per second, ${hp.connections ?? any.connections ?? 200} concurrent viewers`);
    p();
    const mix = hp.mix ?? any.mix ?? 'both';
    if (mix !== 'both')
      p(`**BENCH_HLS_MIX=${mix}: only ${mix} were requested in this run** (not the issue's scenario; for finding where a difference comes from).\n`);
    p(`Samling serves a running stage (passthrough, input a looping file: no encoding) at`);
    p('`/live/bench/index.m3u8` and `/live/bench/<segment>.ts`; once the stage lists');
    p(`at least ${hp.min_segments ?? 5} segments (${hp.segment_s ?? 2} s each, ~${fmt(num(any.segment_bytes_avg) / 1024, 0)} KiB), **the segments listed at that moment are the URL set**`);
    if ((hp.files ?? any.files ?? 'copy') === 'link') {
      p('and are hard-linked, with a copy of that playlist, into a directory nginx serves under the same');
      p('paths: **the very same files** (same inodes, same page cache; a `cp` copy would be laid out in');
      p('the page cache by cp\'s large writes, which makes sendfile of it cheaper than of the files as');
      p('the muxer wrote them, a difference of the copy and not of the server). Samling\'s playlist keeps');
      p('growing during its run, nginx\'s copy does not; playlists are a few hundred bytes. Every viewer');
      p('alternates one playlist request and one');
    } else {
      p('and are copied, with that playlist, to a directory nginx serves under the same paths: **the');
      p('same files**, byte for byte (Samling\'s playlist keeps growing during its run, nginx\'s copy does');
      p('not; playlists are a few hundred bytes). Every viewer alternates one playlist request and one');
    }
    p('segment request (a player asks for the playlist about once per segment), round-robin over the');
    p(`segments, on ${hp.connections ?? 200} keep-alive HTTP/1.1 connections, one request at a time each`);
    p(`(\`http_load\`, ${hp.load_threads ?? 1} epoll thread(s); it discards bodies in the kernel, \`recv(MSG_TRUNC)\`, so it`);
    p('costs little CPU, but it runs on the same machine and competes with the server for the CPUs, so');
    p('requests/s is bounded by the machine, and server CPU per request is the cleaner comparison);');
    p(`${hp.warmup_s ?? '?'} s of load before ${hp.duration_s ?? '?'} s measured.`);
    p();
    p(`- **Samling**: Release build, \`${hp.samling_threads ?? 'server.threads = 0'}\`, access log off, segments sent with`);
    p('  sendfile(2) from its cache of open hot segments (corked, like nginx\'s tcp_nopush), the playlist');
    p('  from memory while its file is unchanged (one stat(2) at most every 100 ms), each connection on');
    p('  one thread of its connection pool; segments written whole when they close. Its CPU includes the');
    p('  stage (demuxing the file and writing .ts files), measured for 3 s without viewers before each');
    p('  run; one row takes it out.');
    p(`- **nginx**: its own process (\`nginx -p <tmpdir> -c <conf>\`, not the system service),`);
    p(`  \`worker_processes ${hp.nginx_workers ?? 'auto'}\` (auto = one per CPU, as Samling), \`sendfile on; tcp_nopush on;`);
    p('  keepalive_requests 1000000; open_file_cache max=1000\`, access log off, the same Content-Type and');
    p('  Cache-Control headers as Samling.');
    p('- **Public stage, no token.** Samling has no grant check yet (`live_access()` in');
    p('  `server/api/live_routes.cpp` admits public stages and refuses the others). When grants exist, the');
    p('  fair comparison is nginx with `secure_link` (`secure_link $arg_md5,$arg_expires;');
    p('  secure_link_md5 "$secure_link_expires$uri <secret>";`): media.sh would add the token to each');
    p('  line of the URL list (both servers\' URLs are built in one place, `hls_round`) and the two lines');
    p('  to the nginx `location`; the load generator, rows and this report need no change.');
    p();
    const ts = ['samling', 'nginx'].filter((t) => byTarget.has(t));
    if (!ts.length) p('No successful run.\n');
    else table(p, byTarget, ts, HLS_METRICS);
    if (byTarget.has('samling') && byTarget.has('nginx')) {
      p('| ratio | vs nginx |');
      p('| --- | ---: |');
      for (const [label, f] of HLS_RATIOS) p(`| ${label} | ${ratio(byTarget.get('samling'), byTarget.get('nginx'), f).text} |`);
      p();
      const r = ratio(byTarget.get('samling'), byTarget.get('nginx'), (x) => num(x.segments_per_s)).value;
      targets.push(['HLS: segment requests/s ≥ nginx\'s on the same files (ratio ≥ 1.0)', Number.isFinite(r) ? `${fmt(r, 2)}×` : '–', r >= 1]);
    }
    if (failed.length) p(`Failed runs (left out above): ${failed.map((r) => `${r.target} round ${r.repeat}: ${r.error}`).join('; ')}.\n`);
  }

  // ---- RELAY ----
  {
    const { byTarget, failed } = group(rows, 'RELAY');
    const rp = machine?.relay ?? {};
    const any = rows.find((r) => r.scenario === 'RELAY') ?? {};
    const n = rp.destinations ?? any.destinations ?? 4;
    p(`${h(2)} Relay: CPU per passthrough destination (N = ${n})`);
    p();
    p('One source, N RTMP destinations on a local nginx with `libnginx-mod-rtmp` (the "platform",');
    p('`live on`, not recording; its CPU is not counted). **Passthrough** on both sides: the source\'s');
    p('H.264 and AAC are remuxed into FLV, never decoded or encoded.');
    p();
    p('- **Samling**: a stage with `mode = "passthrough"`, `input = "file"` (the source, played at its');
    p('  own pace), its destinations in `[[stages.outputs]]` (keys via `key_env`). Run once with no');
    p(`  destination and once with ${n}, fresh processes: **CPU per destination = (CPU with ${n} − CPU with 0) / ${n}**.`);
    p('  Both include the stage\'s own work (reading the file, HLS), which the difference removes.');
    p(`- **ffmpeg** (what datarhei Restreamer runs, one process per destination): ${n} ×`);
    p('  `ffmpeg -re -stream_loop -1 -i <source> -map 0 -c copy -f flv rtmp://…`; **CPU per destination =');
    p(`  their summed CPU / ${n}**. Each process also reads and demuxes the file itself; that is the cost`);
    p('  of the one-process-per-destination design, so it is counted.');
    p(`- ${rp.warmup_s ?? '?'} s after start (the relays connect), ${rp.duration_s ?? '?'} s measured. **Delivery is checked**: the`);
    p('  bytes nginx-rtmp received per stream over the window (`rtmp_stat`); a run where a destination');
    p('  received less than half the source bit rate is marked failed and left out.');
    p();
    const ts = ['samling', 'ffmpeg'].filter((t) => byTarget.has(t));
    if (!ts.length) p('No successful run.\n');
    else table(p, byTarget, ts, RELAY_METRICS);
    if (byTarget.has('samling') && byTarget.has('ffmpeg')) {
      p('| ratio | vs `ffmpeg -c copy` |');
      p('| --- | ---: |');
      for (const [label, f] of RELAY_RATIOS) p(`| ${label} | ${ratio(byTarget.get('samling'), byTarget.get('ffmpeg'), f).text} |`);
      p();
      p('RSS is summed over the processes, so each ffmpeg counts its shared libraries again: the RSS');
      p('ratio overstates what N ffmpeg processes really take; CPU is not affected.');
      p();
      const r = ratio(byTarget.get('samling'), byTarget.get('ffmpeg'), (x) => num(x.cpu_per_destination_pct)).value;
      targets.push(['Relay: CPU per passthrough destination ≤ `ffmpeg -c copy`\'s (ratio ≤ 1.0)', Number.isFinite(r) ? `${fmt(r, 2)}×` : '–', r <= 1]);
    }
    if (failed.length) p(`Failed runs (left out above): ${failed.map((r) => `${r.target} round ${r.repeat}: ${r.error}`).join('; ')}.\n`);
  }

  // Samling is stopped with SIGTERM after every run; anything but a clean exit is worth a look.
  const stopped = rows.filter((r) => r.target === 'samling' && Array.isArray(r.exit_statuses));
  const unclean = stopped.filter((r) => r.exit_statuses.some((x) => x !== 0));
  if (unclean.length) {
    const codes = [...new Set(unclean.flatMap((r) => r.exit_statuses.filter((x) => x !== 0)))].join(', ');
    p(`**Samling did not exit cleanly on SIGTERM** after ${unclean.length} of ${stopped.length} runs (exit status ${codes}; 139 = SIGSEGV, 134 = SIGABRT).`);
    p('This happens after the measured window (a run where the server died during it is marked failed), so');
    p('the figures stand, but the shutdown is a bug.');
    p();
  }

  p(`${h(2)} Media targets (issue 5)`);
  p();
  if (targets.length) {
    p('| target | this run | met |');
    p('| --- | ---: | :---: |');
    for (const [what, value, met] of targets) p(`| ${what} | ${value} | ${value.startsWith('–') ? 'not measured' : met ? 'yes' : '**no**'} |`);
  } else p('None measured in this run.');
  p();
  p('Run: `bash tests/bench/media.sh` (knobs at its top: `BENCH_REPEATS`, `BENCH_HLS_DURATION`,');
  p('`BENCH_RELAY_DURATION`, `BENCH_RELAY_DESTINATIONS`, `BENCH_HLS_CONNECTIONS`, `BENCH_QUICK=1`, …).');
  p();
  return L.join('\n');
}

export function readRows(path) {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return { error: `unparsable line: ${l.slice(0, 100)}` };
      }
    });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
  };
  const results = arg('--results');
  if (!results) {
    console.error('usage: node report-media.mjs --results media.jsonl [--machine media.machine.json] [--heading-level 2]');
    process.exit(2);
  }
  const machinePath = arg('--machine', results.replace(/\.jsonl$/, '') + '.machine.json');
  const machine = existsSync(machinePath) ? JSON.parse(readFileSync(machinePath, 'utf8')) : null;
  process.stdout.write(mediaSection(readRows(results), machine, { headingLevel: Number(arg('--heading-level', '2')) }) + '\n');
}
