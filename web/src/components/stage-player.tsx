// The stage's video: HLS (docs: /live/<id>/index.m3u8) through the browser's own player where it
// plays HLS (Safari, iOS, some Chromium builds), else hls.js, loaded on demand so the program
// page does not pay for it. Muted autoplay (browsers allow no other) with an unmute button and
// the native controls. While the stage is offline nothing is loaded; a fatal error (the
// playlist 404s while the stage is off) is retried with backoff.
import { useEffect, useRef, useState } from 'preact/hooks';
import { stageHls, type Stage } from '../api';
import { langIf, pick, type Lang, type Messages } from '../i18n';

/** What the player is doing (data-player, for tests). */
export type PlayerState = 'off' | 'loading' | 'playing' | 'paused' | 'retrying';

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 15_000;

interface Props {
  stage: Stage;
  lang: Lang;
  t: Messages;
  /**
   * A gated stream (issue 18, the press page): the playlist to play instead of the stage's own
   * (it carries the grant and the device), and how to learn why it fails: a refusal (403/410 with
   * a JSON code: device_limit, grant_revoked, …) stops the retries and shows `text(code)`.
   */
  gate?: { url: string; check: (url: string) => Promise<string | null>; text: (code: string) => string; again: string };
}

export function StageBadge({ state, t }: { state: Stage['state']; t: Messages }) {
  return (
    <span class={`stage-badge stage-badge--${state}`} data-testid="stage-badge" data-state={state}>
      <span class="stage-badge-dot" aria-hidden="true" />
      {t.stageState[state]}
    </span>
  );
}

export function StagePlayer({ stage, lang, t, gate }: Props) {
  const video = useRef<HTMLVideoElement>(null);
  const [player, setPlayer] = useState<PlayerState>('off');
  const [engine, setEngine] = useState<'native' | 'hls.js' | ''>('');
  const [muted, setMuted] = useState(true);
  // A gated stream's refusal (its code); `again` counts "try again" presses.
  const [refused, setRefused] = useState<string | null>(null);
  const [again, setAgain] = useState(0);
  const url = gate?.url ?? stageHls(stage);
  const active = stage.state !== 'offline' && refused === null;
  const name = pick(stage.name, lang);
  // Distinct HLS clients of the last 30 s (contract of issue 15; absent from older servers).
  // The figure may be a few seconds old: while this page plays, it is at least this page.
  const reported = (stage as Stage & { viewers?: unknown }).viewers;
  const viewers = typeof reported === 'number' ? (player === 'playing' ? Math.max(reported, 1) : reported) : null;

  useEffect(() => {
    const v = video.current;
    if (!v || !active) {
      setPlayer('off');
      return;
    }
    let stopped = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let hls: { destroy(): void } | null = null;
    let native = false; // the browser's own HLS is playing `url` (not hls.js through a blob)
    let checking = false;
    const cleanups: (() => void)[] = [];

    const on = (type: string, fn: () => void) => {
      v.addEventListener(type, fn);
      cleanups.push(() => v.removeEventListener(type, fn));
    };
    on('playing', () => {
      attempt = 0;
      setPlayer('playing');
    });
    on('pause', () => setPlayer((p) => (p === 'playing' ? 'paused' : p)));
    on('volumechange', () => setMuted(v.muted));

    const play = () => {
      v.muted = muted;
      v.play().catch(() => {
        // Autoplay refused (e.g. with sound): muted it always may.
        if (!v.muted) {
          v.muted = true;
          v.play().catch(() => {});
        }
      });
    };

    const retry = () => {
      if (stopped) return;
      // A gated stream: ask why before trying again; a refusal is final until the viewer acts.
      if (gate && !checking) {
        checking = true;
        gate.check(url).then((code) => {
          checking = false;
          if (stopped) return;
          if (code) {
            hls?.destroy();
            hls = null;
            setRefused(code);
          } else reallyRetry();
        });
        return;
      }
      reallyRetry();
    };

    const reallyRetry = () => {
      if (stopped) return;
      if (hls) {
        // Detach first: hls.js revokes its blob URL, and the element would report that as an
        // error of its own (a second retry).
        hls.destroy();
        hls = null;
        v.removeAttribute('src');
        v.load();
      }
      setPlayer('retrying');
      const ceiling = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** attempt);
      attempt++;
      clearTimeout(timer);
      timer = setTimeout(load, ceiling / 2 + Math.random() * (ceiling / 2));
    };

    const load = () => {
      if (stopped) return;
      setPlayer('loading');
      if (v.canPlayType('application/vnd.apple.mpegurl')) {
        setEngine('native');
        native = true;
        v.src = url;
        play();
        return;
      }
      setEngine('hls.js');
      native = false;
      import('hls.js/light').then(
        ({ default: Hls }) => {
          if (stopped) return;
          if (!Hls.isSupported()) {
            console.warn('samling: this browser plays no HLS');
            setPlayer('off');
            return;
          }
          const h = new Hls({ liveDurationInfinity: true, backBufferLength: 30 });
          hls = h;
          h.on(Hls.Events.MANIFEST_PARSED, play);
          h.on(Hls.Events.ERROR, (_e, data) => {
            if (h !== hls) return;
            // A gated stream's segment or playlist refused (403/410: revoked, device cap, a token
            // out of date): no use in hls.js's own retries; ask why at once.
            const status = (data as { response?: { code?: number } }).response?.code;
            if (gate && (status === 403 || status === 410)) {
              retry();
              return;
            }
            if (!data.fatal) return;
            if (data.type === Hls.ErrorTypes.MEDIA_ERROR && attempt < 3) {
              attempt++;
              h.recoverMediaError();
            } else {
              retry(); // network errors (the playlist 404s while the stage is off) and the rest
            }
          });
          h.loadSource(url);
          h.attachMedia(v);
        },
        (e: unknown) => {
          console.warn(`samling: cannot load the player: ${String(e)}`);
          retry();
        },
      );
    };

    // Native HLS: a failed load or a dead stream comes as an error event.
    on('error', () => {
      if (native && v.getAttribute('src')) retry();
    });

    load();
    return () => {
      stopped = true;
      clearTimeout(timer);
      for (const c of cleanups) c();
      hls?.destroy();
      hls = null;
      v.pause();
      v.removeAttribute('src');
      v.load();
    };
    // `muted` is read when playback starts; changing it does not reload.
  }, [url, active, again]);
  useEffect(() => setRefused(null), [url]);

  const unmute = () => {
    const v = video.current;
    if (!v) return;
    v.muted = false;
    if (v.volume === 0) v.volume = 1;
    setMuted(false);
    if (v.paused) v.play().catch(() => {});
  };

  return (
    <section
      class={`stage stage--${stage.state}`}
      aria-label={t.stagePlayer(name.text)}
      tabIndex={-1}
      data-testid="stage-player"
      data-stage-id={stage.id}
      data-state={stage.state}
      data-player={refused ? 'refused' : player}
      data-engine={engine}
      data-refused={refused ?? undefined}
    >
      <div class="stage-video">
        {/* Before the video: the unmute button comes before the player's own controls in tab order. */}
        {active && muted && (
          <button type="button" class="stage-unmute" onClick={unmute} data-testid="stage-unmute">
            <svg class="stage-unmute-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
              <path fill="currentColor" d="M3 9v6h4l5 5V4L7 9H3z" />
              <path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M16 9l5 6M21 9l-5 6" />
            </svg>
            {t.unmute}
          </button>
        )}
        <video ref={video} muted autoplay playsInline controls={active} preload="none" data-testid="stage-video" />
        {!active && refused === null && (
          <div class="stage-overlay" data-testid="stage-offline">
            <p>{t.stageOfflineNote}</p>
          </div>
        )}
        {refused !== null && gate && (
          <div class="stage-overlay stage-overlay--refused" role="alert" data-testid="stage-refused" data-code={refused}>
            <p>{gate.text(refused)}</p>
            <button
              type="button"
              class="button button--small"
              onClick={() => {
                setRefused(null);
                setAgain((n) => n + 1);
              }}
              data-testid="stage-try-again"
            >
              {gate.again}
            </button>
          </div>
        )}
        {active && (player === 'loading' || player === 'retrying') && (
          <div class="stage-overlay stage-overlay--loading" aria-hidden="true">
            <span class="spinner" />
            <p>{t.stageConnecting}</p>
          </div>
        )}
      </div>
      <div class="stage-caption">
        <h2 class="stage-name" lang={langIf(name.lang, lang)}>
          {name.text}
        </h2>
        <div class="stage-caption-side">
          {viewers !== null && viewers > 0 && stage.state !== 'offline' && (
            <span class="stage-viewers" data-testid="stage-viewers" data-count={viewers}>
              {t.stageViewers(viewers)}
            </span>
          )}
          <div role="status" aria-live="polite">
            <StageBadge state={stage.state} t={t} />
          </div>
        </div>
      </div>
    </section>
  );
}
