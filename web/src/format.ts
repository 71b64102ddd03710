// Dates and times of the program, formatted per locale with Intl. Days are "YYYY-MM-DD" and
// times "HH:MM" in the event's own time zone; they are formatted as UTC wall-clock values so the
// viewer's time zone never shifts them.

function dayToUtc(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1);
}

function timeToUtc(time: string): number {
  const [h, min] = time.split(':').map(Number);
  return Date.UTC(2000, 0, 1, h ?? 0, min ?? 0);
}

const cache = new Map<string, Intl.DateTimeFormat>();
function dtf(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(options);
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...options });
    cache.set(key, f);
  }
  return f;
}

function consecutive(days: string[]): boolean {
  for (let i = 1; i < days.length; i++) {
    if (dayToUtc(days[i]!) - dayToUtc(days[i - 1]!) !== 86_400_000) return false;
  }
  return true;
}

/** "tisdag 9 februari 2027", "9–10 februari 2027", or a list of dates. */
export function formatEventDates(days: string[], locale: string): string {
  if (days.length === 0) return '';
  const sorted = [...days].sort();
  if (sorted.length === 1) {
    return dtf(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(
      dayToUtc(sorted[0]!),
    );
  }
  const long = dtf(locale, { day: 'numeric', month: 'long', year: 'numeric' });
  if (consecutive(sorted)) {
    return long.formatRange(dayToUtc(sorted[0]!), dayToUtc(sorted[sorted.length - 1]!));
  }
  const list = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' });
  return list.format(sorted.map((d) => long.format(dayToUtc(d))));
}

/** Short label for a day tab: "tis 9 feb.", "Tue 9 Feb", "ti 9.2.". */
export function formatDayTab(day: string, locale: string): string {
  return dtf(locale, { weekday: 'short', day: 'numeric', month: 'short' }).format(dayToUtc(day));
}

/** Full date for a day's heading: "tisdag 9 februari". */
export function formatDayLong(day: string, locale: string): string {
  return dtf(locale, { weekday: 'long', day: 'numeric', month: 'long' }).format(dayToUtc(day));
}

/** "09:30" (sv, en-GB), "9.30" (fi: no leading zero), "9:30 AM" (en-US). */
export function formatTime(time: string, locale: string): string {
  const probe = dtf(locale, { hour: 'numeric' }).resolvedOptions();
  const twelveHour = probe.hour12 ?? (probe.hourCycle === 'h12' || probe.hourCycle === 'h11');
  const padded = !twelveHour && !locale.toLowerCase().startsWith('fi');
  return dtf(locale, { hour: padded ? '2-digit' : 'numeric', minute: '2-digit' }).format(
    timeToUtc(time),
  );
}

/** The viewer's own time zone (the browser's), as an IANA id. */
export function viewerTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** How far `timeZone` is ahead of UTC at the moment `at` (ms since the epoch), in ms. */
function zoneOffsetMs(at: number, timeZone: string): number {
  const parts = dtf('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return wall - Math.floor(at / 1000) * 1000;
}

/**
 * The moment (ms since the epoch) of a wall-clock day ("YYYY-MM-DD") and time ("HH:MM") in
 * `timeZone`. A time that a daylight-saving change skips counts with the offset before it.
 */
export function zonedTimeToUtc(day: string, time: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number);
  const [h, min] = time.split(':').map(Number);
  const wall = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1, h ?? 0, min ?? 0);
  const first = zoneOffsetMs(wall, timeZone);
  const second = zoneOffsetMs(wall - first, timeZone);
  return wall - (first === second ? first : second);
}

/** Whether two time zones show the same clock time throughout the given days (e.g. Stockholm and Berlin). */
export function sameClockOnDays(days: string[], a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return days.every((day) =>
      ['00:00', '12:00', '23:59'].every((time) => {
        const at = zonedTimeToUtc(day, time, a);
        return zoneOffsetMs(at, a) === zoneOffsetMs(at, b);
      }),
    );
  } catch {
    return true; // an unknown zone: nothing to offer
  }
}

/**
 * A program time ("HH:MM" on `day`, in the event's `eventZone`) as the clock shows it in
 * `shownZone`, formatted as formatTime does; with the short weekday in front when the moment
 * falls on another day there ("ons 03:30").
 */
export function formatTimeInZone(day: string, time: string, locale: string, eventZone: string, shownZone: string): string {
  if (shownZone === eventZone) return formatTime(time, locale);
  let at: number;
  try {
    at = zonedTimeToUtc(day, time, eventZone);
    dtfZ('en', shownZone, {});
  } catch {
    return formatTime(time, locale);
  }
  const probe = dtfZ(locale, shownZone, { hour: 'numeric' }).resolvedOptions();
  const twelveHour = probe.hour12 ?? (probe.hourCycle === 'h12' || probe.hourCycle === 'h11');
  const padded = !twelveHour && !locale.toLowerCase().startsWith('fi');
  const clock: Intl.DateTimeFormatOptions = { hour: padded ? '2-digit' : 'numeric', minute: '2-digit' };
  const otherDay = dtfZ('en-CA', shownZone, {}).format(at) !== day;
  return dtfZ(locale, shownZone, otherDay ? { weekday: 'short', ...clock } : clock).format(at);
}

/** The time zone's localized name, e.g. "centraleuropeisk tid"; the IANA id if unknown. */
export function formatTimeZone(timeZone: string, locale: string, day: string | undefined): string {
  try {
    const f = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'longGeneric' });
    const at = day ? dayToUtc(day) + 12 * 3_600_000 : Date.now();
    return f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  } catch {
    return timeZone;
  }
}

/** Today's date in the event's time zone, as YYYY-MM-DD. */
export function todayIn(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone }).format(Date.now());
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

/**
 * A chat message's time (epoch ms) in the event's time zone: "14:05" (sv, en-GB), "14.05" (fi),
 * "2:05 PM" (en-US); with a short date in front when it is not from today.
 */
export function formatMessageTime(ts: number, locale: string, timeZone: string, now = Date.now()): string {
  const zone = safeZone(timeZone);
  const day = (t: number) => dtfZ('en-CA', zone, {}).format(t);
  const probe = dtfZ(locale, zone, { hour: 'numeric' }).resolvedOptions();
  const twelveHour = probe.hour12 ?? (probe.hourCycle === 'h12' || probe.hourCycle === 'h11');
  const padded = !twelveHour && !locale.toLowerCase().startsWith('fi');
  const time: Intl.DateTimeFormatOptions = { hour: padded ? '2-digit' : 'numeric', minute: '2-digit' };
  if (day(ts) === day(now)) return dtfZ(locale, zone, time).format(ts);
  return dtfZ(locale, zone, { day: 'numeric', month: 'short', ...time }).format(ts);
}

/** The full date and time, for a tooltip. */
export function formatMessageDateTime(ts: number, locale: string, timeZone: string): string {
  return dtfZ(locale, safeZone(timeZone), { dateStyle: 'long', timeStyle: 'short' }).format(ts);
}

function safeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

function dtfZ(locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return dtf(locale, { ...options, timeZone });
}

// --- stage status numbers --------------------------------------------------------------------

const nfCache = new Map<string, Intl.NumberFormat>();
function nf(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = locale + JSON.stringify(options);
  let f = nfCache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    nfCache.set(key, f);
  }
  return f;
}

/** "4,2 Mbit/s", "850 kbit/s". */
export function formatBitrate(bps: number, locale: string): string {
  const mega = bps >= 1_000_000;
  return nf(locale, {
    style: 'unit',
    unit: mega ? 'megabit-per-second' : 'kilobit-per-second',
    maximumFractionDigits: mega ? 1 : 0,
  }).format(mega ? bps / 1_000_000 : bps / 1000);
}

/** "1,2 GB", "350 MB", "12 kB". */
export function formatBytes(bytes: number, locale: string): string {
  const [unit, div] =
    bytes >= 1e9 ? (['gigabyte', 1e9] as const) : bytes >= 1e6 ? (['megabyte', 1e6] as const) : (['kilobyte', 1e3] as const);
  return nf(locale, { style: 'unit', unit, maximumFractionDigits: bytes >= 1e9 ? 1 : 0 }).format(bytes / div);
}

/** "2 s", "0,5 s". */
export function formatSeconds(ms: number, locale: string): string {
  return nf(locale, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 1 }).format(ms / 1000);
}

/** "1:02:03" or "4:05": a running time. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** A moment (ms since the epoch) as a short date and time in the viewer's time zone. */
export function formatTimestamp(ms: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}
