// Which page the address names. The app keeps its parameters in the fragment, as the join
// links do (#event=E&join=TOKEN): #sign-in, #invite=TOKEN, #console[/EVENT[/TAB]],
// #console/series/ID and #event=E&registration=TOKEN, the moderator's and press pages (below);
// anything else is the event page.
export type ConsoleTab = 'program' | 'import' | 'registration' | 'staff' | 'email' | 'audit' | 'stages';
export const CONSOLE_TABS: ConsoleTab[] = ['program', 'import', 'registration', 'staff', 'email', 'audit', 'stages'];

export type Route =
  | { page: 'event' }
  | { page: 'sign-in' }
  | { page: 'invite'; token: string }
  | { page: 'console'; event: string | null; tab: ConsoleTab; series: string | null }
  | { page: 'manage'; event: string; token: string }
  | { page: 'moderate'; event: string; room: string }
  | { page: 'projector'; kiosk: string }
  // Issue 18: the press pages (press/).
  | { page: 'accredit'; event: string }
  | { page: 'accreditation'; token: string }
  | { page: 'press-office'; event: string; token: string | null }
  | { page: 'press'; grant: string }
  | { page: 'interview'; token: string };

export function currentRoute(hash = location.hash): Route {
  const h = hash.replace(/^#/, '');
  if (h === 'sign-in') return { page: 'sign-in' };
  if (h === 'console' || h.startsWith('console/')) {
    const [, a, b] = h.split('/').map((p) => decodeURIComponent(p));
    if (a === 'series') return { page: 'console', event: null, tab: 'program', series: b ?? null };
    const tab = CONSOLE_TABS.includes(b as ConsoleTab) ? (b as ConsoleTab) : 'program';
    return { page: 'console', event: a || null, tab, series: null };
  }
  // Issue 17: the moderator console (#moderate/EVENT/ROOM) and the projector (#projector=ID).
  if (h.startsWith('moderate/')) {
    const [, e, r] = h.split('/').map((p) => decodeURIComponent(p));
    if (e && r) return { page: 'moderate', event: e, room: r };
  }
  // Issue 18: #accredit/E (the form), #press-office/E[&token=T] (the press officer),
  // #accreditation=T (the journalist's request), #press=G (the press page), #interview=T (a speaker).
  if (h.startsWith('accredit/')) {
    const e = decodeURIComponent(h.slice('accredit/'.length).split(/[/&]/)[0] ?? '');
    if (e) return { page: 'accredit', event: e };
  }
  if (h.startsWith('press-office/')) {
    const [path, ...rest] = h.split('&');
    const e = decodeURIComponent((path ?? '').slice('press-office/'.length).split('/')[0] ?? '');
    if (e) return { page: 'press-office', event: e, token: new URLSearchParams(rest.join('&')).get('token') };
  }
  for (const [key, page] of [['accreditation', 'accreditation'], ['press', 'press'], ['interview', 'interview']] as const) {
    if (h.startsWith(`${key}=`)) {
      const v = new URLSearchParams(h).get(key);
      if (v) return page === 'press' ? { page, grant: v } : { page, token: v };
    }
  }
  const kiosk = h.startsWith('projector=') ? new URLSearchParams(h).get('projector') : null;
  if (kiosk) return { page: 'projector', kiosk };
  const params = new URLSearchParams(h);
  const invite = params.get('invite');
  if (invite) return { page: 'invite', token: invite };
  const registration = params.get('registration');
  const event = params.get('event');
  if (registration && event) return { page: 'manage', event, token: registration };
  return { page: 'event' };
}

export const consoleHref = (event?: string, tab?: ConsoleTab) =>
  `#console${event ? `/${encodeURIComponent(event)}${tab && tab !== 'program' ? `/${tab}` : ''}` : ''}`;
export const seriesHref = (id: string) => `#console/series/${encodeURIComponent(id)}`;
export const eventHref = (event: string) => `#event=${encodeURIComponent(event)}`;
export const moderateHref = (event: string, room: string) => `#moderate/${encodeURIComponent(event)}/${encodeURIComponent(room)}`;

/**
 * The room QR code's target, #event=E&room=R&qa=1 (docs/api.md, qr.svg): the event page with
 * room R's questions in front. Null for any other address.
 */
export function qaTarget(hash = location.hash): { event: string; room: string } | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const event = params.get('event');
  const room = params.get('room');
  return event && room && params.get('qa') === '1' ? { event, room } : null;
}
export const accreditHref = (event: string) => `#accredit/${encodeURIComponent(event)}`;
export const pressOfficeHref = (event: string) => `#press-office/${encodeURIComponent(event)}`;
