// The broadcast view for organizers (and, read-only, moderators): per stage its state, input,
// what it sends (bitrate, keyframe interval, uptime), its viewers, HLS and recording status,
// start/stop, the restream outputs (stop, retry, remove, add) and the recordings; then the
// members of each room. The status comes live from useStages (stages.ts); actions use the HTTP
// API with the signed-in organizer's token. The numbers are the staff view of docs/protocol.md's
// Stages section, read field by field: an older server's missing field shows nothing, not 0.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  addOutput,
  ApiError,
  getEvent,
  listRecordings,
  outputAction,
  removeOutput,
  stageAction,
  withToken,
  type CallerRejection,
  type ConferenceEvent,
  type Recordings,
  type Stage,
  type StageOutput,
} from '../api';
import { formatBitrate, formatBytes, formatDuration, formatMessageTime, formatSeconds, formatTimestamp } from '../format';
import { langIf, pick, type Lang, type Messages } from '../i18n';
import type { StagesFeed } from '../stages';
import { StageBadge } from './stage-player';

interface Props {
  feed: StagesFeed;
  /** The organizer's or moderator's token. */
  token: string;
  /** Organizers may act; moderators only look. */
  canEdit: boolean;
  lang: Lang;
  locale: string;
  t: Messages;
  /** The event shown (for its room names); fetched by the stages' `event` when not given. */
  event?: ConferenceEvent | undefined;
}

/** What a stage sends on or receives: the counters of `input` and `program` (docs/protocol.md). */
interface Flow {
  bitrate_bps: number | null;
  keyframe_interval_ms: number | null;
}

/** A finite number, else null (a field an older server does not send). */
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function flowOf(v: unknown): Flow | null {
  if (v === null || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  return { bitrate_bps: num(o['bitrate_bps']), keyframe_interval_ms: num(o['keyframe_interval_ms']) };
}

/**
 * The numbers of a stage's staff view as the server sends them: `program` is what the stage sends
 * to viewers and destinations (for a produced stage the input counts only the encoded bytes before
 * the decoder, and a test picture has none), `uptime_ms` is the stage's own (the input's counts
 * only while an SRT caller is connected), `hls_segments` beside `hls` (a URL). Older servers (and
 * the test mock) put some of them elsewhere: those places are the fallback.
 */
export function stageNumbers(stage: Stage) {
  const raw = stage as unknown as Record<string, unknown>;
  const input = flowOf(stage.input);
  const program = flowOf(raw['program']);
  const hlsSegments = num(raw['hls_segments']) ?? (typeof stage.hls === 'object' ? num(stage.hls.segments) : null);
  return {
    bitrateBps: program?.bitrate_bps ?? input?.bitrate_bps ?? null,
    /** The input's own bitrate where it differs from what goes out: a produced stage re-encodes. */
    inputBitrateBps: program && stage.mode === 'produced' && input?.bitrate_bps ? input.bitrate_bps : null,
    keyframeIntervalMs: program?.keyframe_interval_ms ?? input?.keyframe_interval_ms ?? null,
    uptimeMs: num(raw['uptime_ms']) ?? num(stage.input?.uptime_ms),
    /** How long the SRT caller has been connected (0: none). */
    inputUptimeMs: num(raw['uptime_ms']) !== null ? num(stage.input?.uptime_ms) : null,
    hlsSegments,
    viewers: num(raw['viewers']),
    event: typeof raw['event'] === 'string' ? raw['event'] : null,
  };
}

function failureText(t: Messages, e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 401 || e.status === 403) return t.notAllowed;
    if (e.kind === 'unreachable') return t.errorUnreachable;
    return t.actionFailed(e.detail);
  }
  return t.actionFailed('');
}

export function StagesAdmin({ feed, token, canEdit, lang, locale, t, event }: Props) {
  const { stages, live } = feed;
  const eventId = event?.id ?? stages?.map((s) => stageNumbers(s).event).find((e): e is string => e !== null) ?? null;
  return (
    <section class="broadcast" aria-labelledby="broadcast-heading" data-testid="broadcast">
      <div class="broadcast-head">
        <h2 id="broadcast-heading">{t.broadcast}</h2>
        <span class={`feed feed--${live ? 'live' : 'polling'}`} data-testid="stage-feed" data-live={live}>
          {live ? t.feedLive : t.feedPolling}
        </span>
      </div>
      <p class="broadcast-intro">{canEdit ? t.broadcastIntro : t.broadcastReadOnly}</p>
      {stages === null && (
        <div class="state state--loading" role="status">
          <span class="spinner" aria-hidden="true" />
        </div>
      )}
      {stages?.length === 0 && (
        <p class="empty" data-testid="no-stages">
          {t.noStages}
        </p>
      )}
      {stages?.map((s) => (
        <StageCard key={s.id} stage={s} feed={feed} token={token} canEdit={canEdit} lang={lang} locale={locale} t={t} />
      ))}
      {eventId && <RoomMembers eventId={eventId} event={event} stages={stages ?? []} lang={lang} t={t} />}
    </section>
  );
}

interface CardProps extends Omit<Props, 'feed'> {
  stage: Stage;
  feed: StagesFeed;
}

function StageCard({ stage, feed, token, canEdit, lang, locale, t }: CardProps) {
  const name = pick(stage.name, lang);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = stage.running ?? stage.state !== 'offline';
  const input = stage.input;
  const n = stageNumbers(stage);

  const act = async (action: 'start' | 'stop') => {
    if (action === 'stop' && !confirm(t.confirmStopStage(name.text))) return;
    setBusy(true);
    setError(null);
    try {
      feed.putStage(await stageAction(stage.id, action, token));
    } catch (e) {
      console.warn(e instanceof Error ? e.message : String(e));
      setError(failureText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class="stage-card" aria-labelledby={`stage-${stage.id}-name`} data-testid="stage-card" data-stage-id={stage.id} data-state={stage.state}>
      <header class="stage-card-head">
        <h3 id={`stage-${stage.id}-name`} lang={langIf(name.lang, lang)}>
          {name.text}
        </h3>
        <StageBadge state={stage.state} t={t} />
        {typeof stage.state_since_ms === 'number' && stage.state_since_ms > 0 && (
          <span class="stage-since" data-testid="stage-since">
            <Moment at={stage.state_since_ms} locale={locale} text={t.stateSince} />
          </span>
        )}
        {canEdit && (
          <div class="stage-card-actions">
            {running ? (
              <button type="button" class="button button--secondary" disabled={busy} onClick={() => act('stop')} data-testid="stage-stop">
                {t.stopStage}
              </button>
            ) : (
              <button type="button" class="button" disabled={busy} onClick={() => act('start')} data-testid="stage-start">
                {t.startStage}
              </button>
            )}
          </div>
        )}
      </header>
      {error && (
        <p class="form-error" role="alert" data-testid="stage-error">
          {error}
        </p>
      )}

      <dl class="stats">
        {input && (
          <Stat label={t.input} testid="input-state" state={input.state} wide>
            <span class={`dot dot--${input.state}`} aria-hidden="true" />
            {/* A running test picture: its name says it all ("connected" beside "no camera connected" would not). */}
            {!(input.kind === 'test' && input.state === 'connected') && `${t.inputState[input.state]} · `}
            <span data-testid="input-kind" data-kind={input.kind}>
              {t.inputKind[input.kind] ?? input.kind}
            </span>
            {/* The address says something to the technician; a test picture's ("test source") does not. */}
            {input.kind !== 'test' && input.url && (
              <span class="stat-sub" translate={false}>
                {input.url}
              </span>
            )}
            {input.kind === 'srt' && n.inputUptimeMs !== null && n.inputUptimeMs > 0 && (
              <span class="stat-sub" data-testid="input-connected-for">
                {t.callerConnectedFor(formatDuration(n.inputUptimeMs))}
              </span>
            )}
          </Stat>
        )}
        {n.bitrateBps !== null && (
          <Stat label={t.bitrate} testid="input-bitrate" value={n.bitrateBps}>
            {formatBitrate(n.bitrateBps, locale)}
            {n.inputBitrateBps !== null && (
              <span class="stat-sub" data-testid="input-bitrate-in">
                {t.bitrateIn(formatBitrate(n.inputBitrateBps, locale))}
              </span>
            )}
          </Stat>
        )}
        {(input || n.keyframeIntervalMs !== null) && (
          <Stat label={t.keyframeInterval} testid="input-keyframes" value={n.keyframeIntervalMs ?? undefined}>
            {n.keyframeIntervalMs === null ? '–' : formatSeconds(n.keyframeIntervalMs, locale)}
          </Stat>
        )}
        {n.uptimeMs !== null && (
          <Stat label={t.uptime} testid="input-uptime">
            <Uptime ms={n.uptimeMs} ticking={running && stage.state !== 'offline'} />
          </Stat>
        )}
        {n.viewers !== null && (
          <Stat label={t.viewers} testid="stage-viewers" value={n.viewers}>
            {n.viewers}
            <span class="stat-sub">{t.viewersHint}</span>
          </Stat>
        )}
        {n.hlsSegments !== null && (
          <Stat label={t.hlsSegments} testid="hls-segments" value={n.hlsSegments}>
            {n.hlsSegments}
          </Stat>
        )}
        {stage.recording && (
          <Stat label={t.recording} testid="recording-state" state={stage.recording.enabled ? stage.recording.state : 'disabled'}>
            <span class={`dot dot--${stage.recording.state === 'recording' ? 'recording' : 'idle'}`} aria-hidden="true" />
            {t.recordingState[stage.recording.enabled ? stage.recording.state : 'disabled']}
          </Stat>
        )}
        {/* The mode and the last refusal last, each on a row of its own: their words need the width. */}
        {stage.mode && (
          <Stat label={t.modeLabel} testid="stage-mode" state={stage.mode} wide>
            {t.stageMode[stage.mode]}
            <span class="stat-sub">{t.stageModeHint[stage.mode]}</span>
          </Stat>
        )}
        {/* The refusals' row only when it says why. */}
        {input && input.rejected_callers > 0 && (
          <Stat label={t.rejectedCallers} testid="input-rejected" wide={!!input.last_rejection}>
            {input.rejected_callers}
            {input.last_rejection && <Rejection rejection={input.last_rejection} locale={locale} t={t} />}
          </Stat>
        )}
      </dl>
      {input?.last_error && (
        <p class="stage-last-error" data-testid="input-error">
          {t.lastError}: <span translate={false}>{input.last_error}</span>
        </p>
      )}

      {stage.outputs && <Outputs stage={stage} feed={feed} token={token} canEdit={canEdit} locale={locale} t={t} />}
      {canEdit && <AddOutput stage={stage} feed={feed} token={token} t={t} />}
      {canEdit && <RecordingsList stage={stage} token={token} locale={locale} t={t} />}
    </article>
  );
}

/** `value`: the number shown, unformatted, for tests and tools (data-value). */
function Stat({ label, testid, state, wide, value, children }: { label: string; testid: string; state?: string; wide?: boolean; value?: number | undefined; children: ComponentChildren }) {
  return (
    <div class={wide ? 'stat stat--wide' : 'stat'}>
      <dt>{label}</dt>
      <dd data-testid={testid} data-state={state} data-value={value}>
        {children}
      </dd>
    </div>
  );
}

/**
 * A running time that ticks every second between the server's updates (every 2 s over the
 * WebSocket, every 5 s by polling): the server's value plus the time since it arrived.
 */
function Uptime({ ms, ticking }: { ms: number; ticking: boolean }) {
  // A new value from the server restarts the count from it (the same value again does not).
  const base = useMemo(() => ({ ms, at: performance.now() }), [ms]);
  const [, tick] = useState(0);
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => tick((n) => n + 1), 1_000);
    return () => clearInterval(timer);
  }, [ticking]);
  const shown = ticking ? base.ms + (performance.now() - base.at) : base.ms;
  return (
    <span data-value={Math.round(shown)} data-testid="uptime-value">
      {formatDuration(shown)}
    </span>
  );
}

/** Why the last SRT caller was refused, what to do, and when. Unknown reasons show as their code. */
function Rejection({ rejection: r, locale, t }: { rejection: CallerRejection; locale: string; t: Messages }) {
  const text = t.callerRejections[r.reason];
  return (
    <>
      <span class="stat-sub stat-alert" data-testid="input-rejection" data-reason={r.reason}>
        {text ?? <span translate={false}>{r.reason}</span>}
      </span>
      {/* The server's words (English) only where ours say little: libsrt's code for "other". */}
      {(!text || r.reason === 'other') && r.detail && (
        <span class="stat-sub" translate={false}>
          {r.detail}
        </span>
      )}
      {r.at_ms > 0 && (
        <span class="stat-sub">
          <Moment at={r.at_ms} locale={locale} text={t.lastRejection} />
        </span>
      )}
    </>
  );
}

const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "12 s", "14 min", "2 h 5 min": how long ago, at a glance. */
function formatElapsed(ms: number, locale: string): string {
  const unit = (n: number, u: string) => new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short' }).format(n);
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return unit(s, 'second');
  const m = Math.floor(s / 60);
  if (m < 60) return unit(m, 'minute');
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? unit(h, 'hour') : `${unit(h, 'hour')} ${unit(m % 60, 'minute')}`;
}

/**
 * A moment (UTC ms) as the viewer's clock time and how long ago it was, kept current between the
 * server's updates (a stopped stage sends none). A clock behind the server's shows "0 s".
 */
function Moment({ at, locale, text }: { at: number; locale: string; text: (time: string, ago: string) => string }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 5_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <time dateTime={new Date(at).toISOString()} title={formatTimestamp(at, locale)}>
      {text(formatMessageTime(at, locale, viewerZone), formatElapsed(Date.now() - at, locale))}
    </time>
  );
}

const MEMBERS_POLL_MS = 5_000;

interface RoomCount {
  room: string;
  members: number;
}

/**
 * GET /api/v1/events/{event}/rooms/members: the members of each room now. null when the server
 * has no such route (an older server) or does not know the event: then there is nothing to show.
 */
async function fetchRoomMembers(eventId: string, signal: AbortSignal): Promise<RoomCount[] | null> {
  const path = `/api/v1/events/${encodeURIComponent(eventId)}/rooms/members`;
  const response = await fetch(path, { headers: { Accept: 'application/json' }, signal });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  const body = (await response.json()) as { rooms?: unknown } | null;
  if (!Array.isArray(body?.rooms)) throw new Error(`GET ${path}: no "rooms" array`);
  return body.rooms.flatMap((r: unknown) => {
    const o = r as Record<string, unknown> | null;
    return typeof o?.['room'] === 'string' && typeof o['members'] === 'number' ? [{ room: o['room'], members: o['members'] }] : [];
  });
}

/** The members of each room right now (polled), with the stage that shows the room, if any. */
function RoomMembers({ eventId, event, stages, lang, t }: { eventId: string; event: ConferenceEvent | undefined; stages: Stage[]; lang: Lang; t: Messages }) {
  const [counts, setCounts] = useState<RoomCount[] | null>(null);
  const [absent, setAbsent] = useState(false);
  const [fetched, setFetched] = useState<ConferenceEvent | null>(null);
  const rooms = (event ?? fetched)?.rooms;

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    setAbsent(false);
    const poll = async () => {
      // Offline or in a background tab: nothing to fetch now, ask again later.
      if (navigator.onLine && document.visibilityState !== 'hidden') {
        try {
          const list = await fetchRoomMembers(eventId, controller.signal);
          if (list === null) {
            setAbsent(true); // nothing to poll on this server
            return;
          }
          setCounts(list);
        } catch (e) {
          if (controller.signal.aborted) return;
          console.warn(e instanceof Error ? e.message : String(e));
        }
      }
      timer = setTimeout(poll, MEMBERS_POLL_MS);
    };
    void poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [eventId]);

  // The room names, when the page did not pass the event.
  useEffect(() => {
    if (event || absent) return;
    const controller = new AbortController();
    getEvent(eventId, controller.signal).then(setFetched, (e: unknown) => {
      if (!controller.signal.aborted) console.warn(e instanceof Error ? e.message : String(e));
    });
    return () => controller.abort();
  }, [eventId, event, absent]);

  if (absent || counts === null) return null;
  const order = new Map((rooms ?? []).map((r) => [r.id, r.position]));
  const sorted = [...counts].sort((a, b) => (order.get(a.room) ?? 1e9) - (order.get(b.room) ?? 1e9) || a.room.localeCompare(b.room));
  return (
    <article class="stage-card room-members" aria-labelledby="room-members-heading" data-testid="room-members">
      <div class="stage-card-head">
        <h3 id="room-members-heading">{t.roomMembers}</h3>
      </div>
      <p class="field-hint">{t.roomMembersIntro}</p>
      <div class="table-wrap">
        <table class="outputs-table">
          <thead>
            <tr>
              <th scope="col">{t.room}</th>
              <th scope="col">{t.membersNow}</th>
              <th scope="col">{t.roomStage}</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((c) => {
              const room = rooms?.find((r) => r.id === c.room);
              const name = room ? pick(room.name, lang) : { text: c.room, lang };
              const stage = stages.find((s) => s.room === c.room);
              const stageName = stage ? pick(stage.name, lang) : null;
              return (
                <tr key={c.room} data-testid="room-member-row" data-room={c.room}>
                  <td lang={langIf(name.lang, lang)}>{name.text}</td>
                  <td data-label={t.membersNow} data-testid="room-member-count" data-value={c.members}>
                    {c.members}
                  </td>
                  <td data-label={t.roomStage} lang={stageName ? langIf(stageName.lang, lang) : undefined}>
                    {stageName ? stageName.text : '–'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </article>
  );
}

interface OutputsProps {
  stage: Stage;
  feed: StagesFeed;
  token: string;
  canEdit: boolean;
  locale: string;
  t: Messages;
}

function Outputs({ stage, feed, token, canEdit, locale, t }: OutputsProps) {
  const outputs = stage.outputs ?? [];
  return (
    <div class="outputs">
      <h4>{t.outputs}</h4>
      {outputs.length === 0 ? (
        <p class="empty" data-testid="no-outputs">
          {t.noOutputs}
        </p>
      ) : (
        <div class="table-wrap">
          <table class="outputs-table" data-testid="outputs">
            <thead>
              <tr>
                <th scope="col">{t.outputName}</th>
                <th scope="col">{t.stateLabel}</th>
                <th scope="col">{t.reconnects}</th>
                <th scope="col">{t.bitrate}</th>
                {canEdit && <th scope="col">{t.actions}</th>}
              </tr>
            </thead>
            <tbody>
              {outputs.map((o) => (
                <OutputRow key={o.id} stage={stage} output={o} feed={feed} token={token} canEdit={canEdit} locale={locale} t={t} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function OutputRow({ stage, output: o, feed, token, canEdit, locale, t }: Omit<OutputsProps, 'stage'> & { stage: Stage; output: StageOutput }) {
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reason = o.reason ? (t.outputReasons[o.reason] ?? o.reason) : null;
  const stoppable = o.state === 'connecting' || o.state === 'live' || o.state === 'retrying';

  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
    } catch (e) {
      console.warn(e instanceof Error ? e.message : String(e));
      setError(failureText(t, e));
    } finally {
      setBusy(false);
    }
  };
  const action = (a: 'start' | 'stop') => run(async () => feed.putOutput(stage.id, await outputAction(stage.id, o.id, a, token)));
  const remove = () =>
    run(async () => {
      await removeOutput(stage.id, o.id, token);
      feed.dropOutput(stage.id, o.id);
    });

  return (
    <tr data-testid="output" data-output-id={o.id} data-state={o.state}>
      <td>
        <span class="output-name" data-testid="output-name">
          {o.name}
        </span>
        <span class="output-url" translate={false}>
          {o.url} · <span data-testid="output-key">{o.key}</span>
        </span>
        <span class="output-source">{t.outputSource[o.source]}</span>
      </td>
      <td>
        <span class={`output-state output-state--${o.state}`} data-testid="output-state" data-state={o.state}>
          <span class="dot" aria-hidden="true" />
          {t.outputState[o.state]}
        </span>
        {reason && (o.state === 'failed' || o.state === 'retrying') && (
          <span class="output-reason" data-testid="output-reason" data-reason={o.reason}>
            {reason}
            {o.state === 'retrying' && o.next_retry_ms !== null && ` · ${t.nextRetry(Math.ceil(o.next_retry_ms / 1000))}`}
          </span>
        )}
        {o.last_error && o.state !== 'live' && (
          <span class="output-error" translate={false}>
            {o.last_error}
          </span>
        )}
        {o.state === 'live' && <span class="output-sub">{formatDuration(o.uptime_ms)}</span>}
      </td>
      <td data-label={t.reconnects} data-testid="output-reconnects">{o.reconnects}</td>
      <td data-label={t.bitrate} data-testid="output-bitrate">
        {formatBitrate(o.bitrate_bps, locale)}
        <span class="output-sub">{formatBytes(o.bytes, locale)}</span>
      </td>
      {canEdit && (
        <td>
          <div class="output-actions">
          {confirming ? (
            <span class="confirm" role="group" aria-label={t.confirmRemove(o.name)}>
              <span>{t.confirmRemove(o.name)}</span>
              <button type="button" class="button button--danger button--small" disabled={busy} onClick={remove} data-testid="output-remove-confirm">
                {t.removeOutput}
              </button>
              <button type="button" class="button button--secondary button--small" onClick={() => setConfirming(false)} data-testid="output-remove-cancel">
                {t.cancel}
              </button>
            </span>
          ) : (
            <>
              {stoppable && (
                <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => action('stop')} data-testid="output-stop">
                  {t.stopOutput}
                </button>
              )}
              {!stoppable && (
                <button type="button" class="button button--small" disabled={busy} onClick={() => action('start')} data-testid="output-start">
                  {o.state === 'failed' ? t.retryOutput : t.startOutput}
                </button>
              )}
              {o.state === 'retrying' && (
                <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => action('start')} data-testid="output-retry">
                  {t.retryOutput}
                </button>
              )}
              <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => setConfirming(true)} data-testid="output-remove">
                {t.removeOutput}
              </button>
            </>
          )}
          </div>
          {error && (
            <p class="form-error" role="alert" data-testid="output-error">
              {error}
            </p>
          )}
        </td>
      )}
    </tr>
  );
}

function AddOutput({ stage, feed, token, t }: { stage: Stage; feed: StagesFeed; token: string; t: Messages }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = (f: string) => `output-${stage.id}-${f}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await addOutput(stage.id, { name: name.trim(), url: url.trim(), key }, token);
      feed.putOutput(stage.id, created);
      setName('');
      setUrl('');
      setKey('');
    } catch (err) {
      console.warn(err instanceof Error ? err.message : String(err));
      setError(failureText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="add-output" onSubmit={submit} noValidate data-testid="add-output">
      <h4>{t.addOutput}</h4>
      <p class="field-hint">{t.addOutputIntro}</p>
      <div class="add-output-fields">
        <div class="field">
          <label for={id('name')}>{t.outputName}</label>
          <input id={id('name')} type="text" maxLength={60} placeholder="YouTube" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} data-testid="output-name-input" />
        </div>
        <div class="field field--wide">
          <label for={id('url')}>{t.outputUrl}</label>
          <input
            id={id('url')}
            type="url"
            inputMode="url"
            spellcheck={false}
            placeholder="rtmp://a.rtmp.youtube.com/live2"
            value={url}
            onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
            data-testid="output-url-input"
          />
        </div>
        <div class="field">
          <label for={id('key')}>{t.streamKey}</label>
          <input
            id={id('key')}
            type="password"
            autoComplete="off"
            spellcheck={false}
            value={key}
            onInput={(e) => setKey((e.target as HTMLInputElement).value)}
            aria-describedby={id('key-hint')}
            data-testid="output-key-input"
          />
          <span id={id('key-hint')} class="field-hint">
            {t.streamKeyHint}
          </span>
        </div>
      </div>
      {error && (
        <p class="form-error" role="alert" data-testid="add-output-error">
          {error}
        </p>
      )}
      <button type="submit" class="button" disabled={busy} data-testid="add-output-submit">
        {busy ? t.adding : t.addOutput}
      </button>
    </form>
  );
}

function RecordingsList({ stage, token, locale, t }: { stage: Stage; token: string; locale: string; t: Messages }) {
  const [data, setData] = useState<Recordings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    listRecordings(stage.id, token, controller.signal).then(setData, (e: unknown) => {
      if (controller.signal.aborted) return;
      console.warn(e instanceof Error ? e.message : String(e));
      setError(failureText(t, e));
    });
    return () => controller.abort();
    // t changes with the language only; no reload for that.
  }, [stage.id, token, attempt]);

  return (
    <div class="recordings" data-testid="recordings">
      <div class="recordings-head">
        <h4>{t.recordings}</h4>
        <button type="button" class="link-button" onClick={() => setAttempt((n) => n + 1)} data-testid="recordings-refresh">
          {t.refresh}
        </button>
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {data && data.recordings.length === 0 && <p class="empty">{t.noRecordings}</p>}
      {data && data.recordings.length > 0 && (
        <ul class="recording-list">
          {data.recordings.map((r) => (
            <li key={r.name} data-testid="recording">
              <a href={withToken(r.url, token)} download={r.name} data-testid="recording-link">
                {r.session ?? r.name}
              </a>
              <span class="recording-meta">
                {r.session && <span translate={false}>{r.name} · </span>}
                {formatBytes(r.size, locale)} · {formatTimestamp(r.modified, locale)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {data?.chapters_url && (
        <a class="recordings-chapters" href={withToken(data.chapters_url, token)} download data-testid="chapters-link">
          {t.chapters}
        </a>
      )}
    </div>
  );
}
