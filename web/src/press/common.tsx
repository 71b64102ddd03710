// What the press pages share: the contacts card, a link to copy, times, a failure in words.
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import type { Contact } from './api';
import type { PressMessages } from './i18n';

/** A failed request in the page's words: the server's message when it has one. */
export function failure(p: PressMessages, e: unknown): string {
  if (e instanceof ApiError) {
    if (e.kind === 'unreachable') return p.unreachable;
    if (e.status === 401 || e.code === 'csrf_failed' || e.code === 'not_signed_in') return p.sessionEnded;
    return p.failed(e.detail || e.code || String(e.status));
  }
  return p.failed(String(e));
}

/** UTC seconds (or ms when `ms`) as a date and time, in `zone` when given. */
export function when(at: number | null | undefined, locale: string, zone?: string, ms = false): string {
  if (typeof at !== 'number' || !Number.isFinite(at) || at <= 0) return '';
  const d = new Date(ms ? at : at * 1000);
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(zone ? { timeZone: zone } : {}) }).format(d);
}

/** A clock time only (today's events: "10:42"). */
export function clock(at: number, locale: string, zone?: string, ms = true): string {
  if (!Number.isFinite(at) || at <= 0) return '';
  return new Intl.DateTimeFormat(locale, { timeStyle: 'short', ...(zone ? { timeZone: zone } : {}) }).format(new Date(ms ? at : at * 1000));
}

export function bytes(n: number, locale: string): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: i === 0 ? 0 : 1 }).format(v)} ${units[i]}`;
}

/** A YYYY-MM-DD day in words ("tisdag 9 februari"), no time zone involved. */
export function dayName(day: string, locale: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(d);
}

export function Contacts({ contacts, p, heading = 'h2' }: { contacts: Contact[]; p: PressMessages; heading?: 'h2' | 'h3' }) {
  const H = heading;
  return (
    <section class="press-contacts" aria-labelledby="press-contacts-title" data-testid="press-contacts">
      <H id="press-contacts-title" class="press-h">{p.contactsTitle}</H>
      {contacts.length === 0 && <p class="press-dim">{p.noContacts}</p>}
      <ul class="press-contact-list">
        {contacts.map((c, i) => (
          <li key={i} class="press-contact" data-testid="press-contact">
            <strong>{c.name}</strong>
            {c.role && <span class="press-dim">{c.role}</span>}
            {c.email && <a href={`mailto:${c.email}`}>{c.email}</a>}
            {c.phone && <a href={`tel:${c.phone.replace(/[^0-9+]/g, '')}`}>{c.phone}</a>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A link shown in a read-only field with a copy button (clipboard where the page may use it). */
export function CopyLink({ link, label, p, testid = 'press-link', inputId }: { link: string; label: string; p: PressMessages; testid?: string; inputId?: string }) {
  const [said, setSaid] = useState('');
  const id = inputId ?? `copy-${testid}`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setSaid(p.copied);
    } catch {
      const input = document.getElementById(id) as HTMLInputElement | null;
      input?.select();
      setSaid(p.copyFailed);
    }
  };
  return (
    <div class="press-copy" data-testid={testid}>
      <label for={id}>{label}</label>
      <div class="press-copy-row">
        <input id={id} readOnly value={link} onFocus={(e) => e.currentTarget.select()} data-testid={`${testid}-value`} />
        <button type="button" class="button button--small" onClick={copy} data-testid={`${testid}-copy`}>
          {p.copy}
        </button>
      </div>
      <p class="press-dim" role="status">{said}</p>
    </div>
  );
}

export function Loading({ p }: { p: PressMessages }) {
  return (
    <div class="state state--loading" role="status">
      <span class="spinner" aria-hidden="true" />
      <span>{p.loading}</span>
    </div>
  );
}
