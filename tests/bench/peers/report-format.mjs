// Number formatting shared by the benchmark reports (report.mjs, report-media.mjs).

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);

export function fmt(v, digits) {
  if (!Number.isFinite(v)) return '–';
  if (digits === undefined) {
    const a = Math.abs(v);
    digits = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : 3;
  }
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
// "median (min–max)" of a list of numbers.
export function cell(xs, digits) {
  const v = xs.filter(Number.isFinite);
  if (!v.length) return '–';
  if (v.length === 1) return fmt(v[0], digits);
  return `${fmt(median(v), digits)} (${fmt(Math.min(...v), digits)}–${fmt(Math.max(...v), digits)})`;
}
