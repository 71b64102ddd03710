// Shared by the browser tests that play real video: a small test-source stage for the config,
// and what the page's player and <video> say.
import { check } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The demo's main hall, named as its room is. */
export const MAIN_HALL_NAME = '{ sv = "Stora salen", en = "Main hall", fi = "Pääsali" }';

/**
 * A `[[stages]]` table for samling.toml: a produced stage with the test input, small and with
 * 1 s segments, so that it goes live fast and costs little on a shared 2-core machine.
 */
export function testStage({ id = 'main', room = 'main', name = MAIN_HALL_NAME, fps = 15, kbps = 300 } = {}) {
  return [
    '[[stages]]',
    `id = "${id}"`,
    `name = ${name}`,
    `room = "${room}"`,
    'mode = "produced"',
    'input = "test"',
    'width = 320',
    'height = 180',
    `fps = ${fps}`,
    `video_kbps = ${kbps}`,
    'preset = "ultrafast"',
    'keyframe_seconds = 1',
    'hls_segment_seconds = 1',
    'hls_window_seconds = 10',
  ];
}

/** The video element's state, for checks and messages. */
export function videoState(page) {
  return page.getByTestId('stage-video').evaluate((v) => {
    const q = v.getVideoPlaybackQuality?.();
    return {
      currentTime: v.currentTime,
      readyState: v.readyState,
      paused: v.paused,
      muted: v.muted,
      videoWidth: v.videoWidth,
      videoHeight: v.videoHeight,
      src: v.getAttribute('src'),
      currentSrc: v.currentSrc,
      networkState: v.networkState,
      error: v.error ? `${v.error.code} ${v.error.message}` : null,
      frames: q ? q.totalVideoFrames : null,
      dropped: q ? q.droppedVideoFrames : null,
      audioBytes: v.webkitAudioDecodedByteCount ?? null,
      videoBytes: v.webkitVideoDecodedByteCount ?? null,
    };
  });
}

/** The player's data attributes (see docs/web.md, test hooks). */
export async function playerAttributes(page) {
  const p = page.getByTestId('stage-player');
  return {
    stage: await p.getAttribute('data-stage-id').catch(() => null),
    state: await p.getAttribute('data-state').catch(() => null),
    player: await p.getAttribute('data-player').catch(() => null),
    engine: await p.getAttribute('data-engine').catch(() => null),
  };
}

/**
 * Polls the video until its currentTime has advanced by `advance` s (within `wait` ms) and
 * frames were decoded meanwhile; returns the start and end states and the wall time taken.
 */
export async function expectVideoAdvancing(page, what, { advance, wait }) {
  const start = await videoState(page);
  const t0 = Date.now();
  let now = start;
  while (Date.now() - t0 < wait) {
    await sleep(250);
    now = await videoState(page);
    if (now.currentTime - start.currentTime >= advance) break;
  }
  const wall = (Date.now() - t0) / 1000;
  check(
    now.currentTime - start.currentTime >= advance,
    `${what}: currentTime went from ${start.currentTime.toFixed(2)} to ${now.currentTime.toFixed(2)} in ${wall.toFixed(1)} s (want +${advance} s); video ${JSON.stringify(now)}, player ${JSON.stringify(await playerAttributes(page))}`,
  );
  check(now.frames === null || now.frames > start.frames, `${what}: no frames decoded while currentTime advanced (${start.frames} → ${now.frames})`);
  return { start, now, wall };
}
