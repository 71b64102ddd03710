// The press gate benchmark's Node side (issue 18; tests/bench/press_gate.sh runs it):
//
//   node press_gate.mjs revoke --base http://127.0.0.1:PORT --event E --stage S --token T --runs N
//       revocation propagation, N times: issue a grant through the API (POST
//       /api/v1/events/E/grants with T, an organizer's join token), fetch the stage's playlist
//       with it, then a viewer fetching its segments one after another in a loop and a WebSocket
//       session (hello with the grant); then POST …/grants/{id}/revoke. Measured from the
//       revoke's answer: the first refused segment (and its status and code) and the WebSocket's
//       close (and its code, 4012 expected). One JSON line per run on stdout.
//   node press_gate.mjs report --results results.jsonl --machine machine.json
//       the Markdown section of docs/benchmarks.md from press_gate.sh's results.
//
// Node's own fetch and WebSocket (node >= 20 with --experimental-websocket, or 22); no package.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

function args(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) continue;
    out[argv[i].slice(2)] = argv[i + 1];
    i++;
  }
  return out;
}

const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- revoke ---------------------------------------------------------------------------------------

async function api(base, token, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: reported below with the status
  }
  return { status: res.status, json, text };
}

async function oneRevocation(o, run) {
  const row = { part: 'revoke', run };
  const issued = await api(o.base, o.token, 'POST', `/api/v1/events/${o.event}/grants`, {
    name: `Bench journalist ${run}`,
    outlet: 'Bench',
    stages: [o.stage],
    // Valid now (by default a grant covers the event's days, which are not today).
    valid_from: new Date(Date.now() - 60000).toISOString().replace(/\.\d+Z$/, 'Z'),
    valid_until: new Date(Date.now() + 3600000).toISOString().replace(/\.\d+Z$/, 'Z'),
  });
  if (issued.status !== 201 || !issued.json?.link) {
    row.error = `issuing a grant: HTTP ${issued.status} ${issued.text.slice(0, 200)}`;
    return row;
  }
  const grantId = issued.json.grant.id;
  const grant = decodeURIComponent(issued.json.link.split('#press=')[1] ?? '');
  const device = `bench-revoke-${run}-${Math.random().toString(16).slice(2, 10)}`;
  const list = await fetch(`${o.base}/live/${o.stage}/index.m3u8?grant=${encodeURIComponent(grant)}&device=${device}`);
  const playlist = await list.text();
  if (list.status !== 200) {
    row.error = `the playlist with the grant: HTTP ${list.status} ${playlist.slice(0, 200)}`;
    return row;
  }
  const segments = playlist.split('\n').filter((l) => l && !l.startsWith('#'));
  if (segments.length === 0) {
    row.error = 'the playlist lists no segments';
    return row;
  }

  // The WebSocket session on the grant.
  const wsUrl = o.base.replace(/^http/, 'ws') + '/ws';
  const ws = new WebSocket(wsUrl, 'samling.v1'); // the protocol's subprotocol (docs/protocol.md)
  let closed = null;
  let helloAnswer = null;
  ws.addEventListener('message', (ev) => {
    if (helloAnswer === null) helloAnswer = String(ev.data);
  });
  ws.addEventListener('close', (ev) => {
    closed = { at: now(), code: ev.code };
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', () => reject(new Error('websocket error')), { once: true });
  });
  ws.send(JSON.stringify({ id: 1, type: 'hello', event: o.event, grant }));
  const t0 = now();
  while (helloAnswer === null && closed === null && now() - t0 < 5000) await sleep(5);
  if (helloAnswer === null || /"type": ?"error"/.test(helloAnswer)) {
    row.error = `hello with the grant: ${helloAnswer ?? (closed ? `closed ${closed.code}` : 'no answer')}`;
    ws.close();
    return row;
  }

  // The viewer: one segment after another, as fast as they come, until refused (or 15 s).
  let refused = null;
  let served = 0;
  let stop = false;
  const viewer = (async () => {
    for (let i = 0; !stop; i++) {
      const res = await fetch(`${o.base}/live/${o.stage}/${segments[i % segments.length]}`);
      const body = await res.arrayBuffer();
      if (res.status === 200) {
        served++;
        continue;
      }
      let code = null;
      try {
        code = JSON.parse(Buffer.from(body).toString('utf8')).error?.code ?? null;
      } catch {
        // not JSON
      }
      refused = { at: now(), status: res.status, code };
      return;
    }
  })();
  await sleep(300); // the viewer is watching
  const servedBefore = served;
  const sent = now();
  const revoked = await api(o.base, o.token, 'POST', `/api/v1/events/${o.event}/grants/${grantId}/revoke`, {
    reason: 'benchmark',
  });
  const answered = now();
  if (revoked.status !== 200) row.error = `revoke: HTTP ${revoked.status} ${revoked.text.slice(0, 200)}`;
  const deadline = answered + 15000;
  while ((refused === null || closed === null) && now() < deadline) await sleep(1);
  stop = true;
  await Promise.race([viewer, sleep(2000)]);
  if (closed === null) ws.close();
  const ms = (t) => (t === undefined || t === null ? null : Math.round((t - answered) * 100) / 100);
  Object.assign(row, {
    grant: grantId,
    revoke_ms: Math.round((answered - sent) * 100) / 100,
    segments_before: servedBefore,
    segment_refused_ms: refused ? ms(refused.at) : null,
    segment_status: refused?.status ?? null,
    segment_code: refused?.code ?? null,
    ws_closed_ms: closed ? ms(closed.at) : null,
    ws_close_code: closed?.code ?? null,
  });
  if (!row.error && (refused === null || closed === null)) row.error = 'not refused or not closed within 15 s';
  return row;
}

async function revoke(o) {
  const runs = Number(o.runs ?? 5);
  let failed = 0;
  for (let run = 1; run <= runs; run++) {
    let row;
    try {
      row = await oneRevocation(o, run);
    } catch (e) {
      row = { part: 'revoke', run, error: String(e?.message ?? e) };
    }
    if (row.error) failed++;
    process.stdout.write(JSON.stringify(row) + '\n');
  }
  process.exit(failed ? 1 : 0);
}

// --- report ---------------------------------------------------------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (v, d = 0) =>
  Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '–';
const spread = (xs, d = 0) => (xs.length ? `${fmt(median(xs), d)} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})` : '–');

function report(o) {
  const rows = readFileSync(o.results, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
  const m = JSON.parse(readFileSync(o.machine, 'utf8'));
  const out = [];
  const p = (s = '') => out.push(s);
  p('## Press gate (issue 18)');
  p();
  p('<!-- Written by tests/bench/press_gate.sh (PRESS_OUT=docs/benchmarks.md), not by run.sh: run.sh keeps this section when it rewrites the file. -->');
  p();
  p(`\`bash tests/bench/press_gate.sh\` (parts: ${m.parts}). Run of ${m.start} – ${m.end} (UTC), ${m.nproc} CPUs (${m.cpu}),`);
  p(`load average ${m.load_start} before, ${m.load_end} after, CPU steal ${m.steal_pct} %; samling commit ${m.commit}, ${m.build} build;`);
  p(`nginx ${m.nginx}. **The machine is shared with other engineers' builds and tests: read the ratios,`);
  p('not the absolute figures.**');

  const micro = rows.filter((r) => r.part === 'micro');
  if (micro.length) {
    p();
    p('### What a check costs (press_gate micro)');
    p();
    p('One thread, a timed loop per check (median of 5 rounds of 0.3 s, min–max in parentheses). The');
    p('binary links the press module and auth only: no store, no database, no network, so these are');
    p('the whole cost of a check; revocation is a lookup in memory (10,000 grants revoked here).');
    p();
    p('| check | what | ns per call | µs |');
    p('| --- | --- | ---: | ---: |');
    for (const r of micro)
      p(`| \`${r.check}\` | ${r.what} | ${fmt(r.ns_median)} (${fmt(r.ns_min)}–${fmt(r.ns_max)}) | ${fmt(r.ns_median / 1000, 2)} |`);
  }

  const serve = rows.filter((r) => r.part === 'serve');
  if (serve.length) {
    p();
    p(`### Gated segments per second: Samling's grant check against nginx's secure_link`);
    p();
    p(`The same ${m.segments} segment files (2 s, ~${fmt(m.segment_bytes_avg / 1024)} KiB each, hard links: the same inodes and page cache)`);
    p(`served by both. **Samling**: a stage with visibility "press" (never started: the files stay), ${m.viewers} grants`);
    p('each fetch the playlist (`?grant=…&device=…`) and the segment URIs of their playlists, each with');
    p(`its viewer's \`?v=\` token (lifetime ${m.token_seconds} s), are the URL set; every segment request verifies the token`);
    p('(HMAC), looks up the revocation, admits the device against the cap and counts the bytes for the');
    p(`audit. **nginx**: \`secure_link $arg_md5,$arg_expires; secure_link_md5 "$secure_link_expires$uri $secret"\``);
    p(`(tests/bench/peers/nginx-secure-link.conf), ${m.viewers} expiries × ${m.segments} segments, \`worker_processes ${m.nginx_workers}\`,`);
    p(`sendfile, open_file_cache. Load: \`http_load\`, ${m.connections} keep-alive connections, one request at a time each,`);
    p(`${m.warmup_s} s warm-up then ${m.duration_s} s measured, on the same machine (it competes for the CPUs: requests/s is`);
    p(`bounded by the machine). ${m.rounds} rounds, a fresh server per run, the order alternating (odd rounds Samling`);
    p('first). Before each run: no token and a tampered token are refused by both (statuses below).');
    p('For reading the figures, each round also runs Samling with the same stage public (no gate, the');
    p('same URLs; not part of the ratio): the difference is what the gate costs per segment.');
    p();
    p('| round | order | Samling req/s | nginx req/s | Samling ÷ nginx | Samling CPU µs/req | nginx CPU µs/req | Samling p99 ms | nginx p99 ms | refused (no token / tampered): Samling · nginx | Samling, stage public (no gate): req/s, CPU µs/req | errors |');
    p('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |');
    const gateCost = [];
    const ratios = [];
    const cpuRatios = [];
    const rounds = [...new Set(serve.map((r) => r.round))].sort((a, b) => a - b);
    const sAll = [];
    const nAll = [];
    for (const round of rounds) {
      const s = serve.find((r) => r.round === round && r.target === 'samling') ?? {};
      const pub = serve.find((r) => r.round === round && r.target === 'samling-public');
      const pl = pub?.load ?? {};
      const n = serve.find((r) => r.round === round && r.target === 'nginx') ?? {};
      const sl = s.load ?? {};
      const nl = n.load ?? {};
      const bad = (r, l) => r.error || (l.non_200 ?? 0) > 0 || (l.errors ?? 0) + (l.timeouts ?? 0) > 0;
      const ok = !bad(s, sl) && !bad(n, nl) && sl.requests_per_s > 0 && nl.requests_per_s > 0;
      const ratio = ok ? sl.requests_per_s / nl.requests_per_s : NaN;
      if (ok) {
        ratios.push(ratio);
        sAll.push(sl.requests_per_s);
        nAll.push(nl.requests_per_s);
        if (sl.server_cpu_us_per_request > 0 && nl.server_cpu_us_per_request > 0)
          cpuRatios.push(nl.server_cpu_us_per_request / sl.server_cpu_us_per_request);
      }
      if (ok && pub && !pub.error && pl.server_cpu_us_per_request > 0 && sl.server_cpu_us_per_request > 0)
        gateCost.push(sl.server_cpu_us_per_request - pl.server_cpu_us_per_request);
      const pubCell = pub ? (pub.error ? pub.error : `${fmt(pl.requests_per_s)}, ${fmt(pl.server_cpu_us_per_request, 1)}`) : '–';
      const errs = [s.error, n.error, sl.non_200 ? `Samling non-200: ${sl.non_200}` : '', nl.non_200 ? `nginx non-200: ${nl.non_200}` : '']
        .filter(Boolean)
        .join('; ');
      p(
        `| ${round} | ${round % 2 ? 'Samling, nginx' : 'nginx, Samling'} | ${fmt(sl.requests_per_s)} | ${fmt(nl.requests_per_s)} | ${fmt(ratio, 2)}× | ${fmt(sl.server_cpu_us_per_request, 1)} | ${fmt(nl.server_cpu_us_per_request, 1)} | ${fmt(sl.p99_ms, 2)} | ${fmt(nl.p99_ms, 2)} | ${s.no_token_status ?? '–'} / ${s.tampered_status ?? '–'} · ${n.no_token_status ?? '–'} / ${n.tampered_status ?? '–'} | ${pubCell} | ${errs || '0'} |`,
      );
    }
    const med = median(ratios);
    p();
    p('| result | value | target | met |');
    p('| --- | ---: | ---: | :---: |');
    p(`| segment requests/s, Samling (median of rounds) | ${spread(sAll)} | | |`);
    p(`| segment requests/s, nginx secure_link (median of rounds) | ${spread(nAll)} | | |`);
    p(`| **Samling ÷ nginx, median of the rounds' ratios** | **${fmt(med, 2)}×** (${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)}) | ≥ 1.0× | ${Number.isFinite(med) ? (med >= 1 ? 'yes' : 'no') : '–'} |`);
    p(`| requests per server CPU-s, Samling ÷ nginx (median) | ${cpuRatios.length ? fmt(median(cpuRatios), 2) + '×' : '–'} | | |`);
    if (gateCost.length)
      p(`| the gate's CPU per segment: gated − public µs/req (median, min–max; noisy) | ${spread(gateCost, 1)} | | |`);
    p(`| rounds with a valid pair | ${ratios.length} of ${rounds.length} | | |`);
  }

  const rev = rows.filter((r) => r.part === 'revoke');
  if (rev.length) {
    const good = rev.filter((r) => !r.error);
    const seg = good.map((r) => r.segment_refused_ms).filter((v) => v !== null);
    const ws = good.map((r) => r.ws_closed_ms).filter((v) => v !== null);
    p();
    p('### Revocation propagation');
    p();
    p('Per run: a grant issued through the API, its viewer fetching the stage\'s segments one after another');
    p('(each request a fresh check; a player asks about once per segment, every 2 s) and a WebSocket session');
    p('that said `hello` with the grant; then the press officer\'s `POST /api/v1/events/{e}/grants/{id}/revoke`.');
    p('Times are from the revoke\'s answer (negative: the refusal came before the answer arrived, the registry');
    p('revokes before the route answers). Target: a live viewer stopped within 10 s.');
    p();
    p('| run | revoke answered in ms | segments served before | first refused segment ms | its status / code | WebSocket closed ms | close code | error |');
    p('| ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |');
    for (const r of rev)
      p(`| ${r.run ?? '–'} | ${fmt(r.revoke_ms, 1)} | ${r.segments_before ?? '–'} | ${fmt(r.segment_refused_ms, 1)} | ${r.segment_status ?? '–'} / ${r.segment_code ?? '–'} | ${fmt(r.ws_closed_ms, 1)} | ${r.ws_close_code ?? '–'} | ${r.error ?? ''} |`);
    p();
    p('| result | median | max | target | met |');
    p('| --- | ---: | ---: | ---: | :---: |');
    const met = (xs) => (xs.length === 0 ? '–' : Math.max(...xs) < 10000 ? 'yes' : 'no');
    p(`| first refused segment after the revoke, ms | ${fmt(median(seg), 1)} | ${seg.length ? fmt(Math.max(...seg), 1) : '–'} | < 10,000 | ${met(seg)} |`);
    p(`| WebSocket closed (4012) after the revoke, ms | ${fmt(median(ws), 1)} | ${ws.length ? fmt(Math.max(...ws), 1) : '–'} | < 10,000 | ${met(ws)} |`);
    p(`| runs without an error | ${good.length} of ${rev.length} | | | |`);
  }
  p();
  process.stdout.write(out.join('\n'));
}

const [cmd, ...rest] = process.argv.slice(2);
const o = args(rest);
if (cmd === 'revoke') {
  if (typeof WebSocket === 'undefined') {
    // Node 20: WebSocket is behind a flag; run again with it.
    const r = spawnSync(process.execPath, ['--experimental-websocket', '--no-warnings', ...process.argv.slice(1)], {
      stdio: 'inherit',
    });
    process.exit(r.status ?? 1);
  }
  await revoke(o);
} else if (cmd === 'report') {
  report(o);
} else {
  process.stderr.write('usage: node press_gate.mjs revoke --base URL --event E --stage S --token T [--runs N]\n' +
    '       node press_gate.mjs report --results FILE --machine FILE\n');
  process.exit(2);
}
