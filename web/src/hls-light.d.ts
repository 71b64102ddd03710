// hls.js's light build (no alternate audio, subtitles or DRM: a smaller chunk) has the same API
// as the full one, but its package export carries no types.
declare module 'hls.js/light' {
  export * from 'hls.js';
  export { default } from 'hls.js';
}
