// Languages, catalogs, the initial-language choice and content-language fallback.
import type { LocalizedText } from '../api';
import { en } from './en';
import { fi } from './fi';
import type { Messages } from './messages';
import { sv } from './sv';

export type { Messages } from './messages';

export const languages = ['sv', 'en', 'fi'] as const;
export type Lang = (typeof languages)[number];

export const catalogs: Record<Lang, Messages> = { sv, en, fi };

const storageKey = 'samling.lang';

export function isLang(v: unknown): v is Lang {
  return typeof v === 'string' && (languages as readonly string[]).includes(v);
}

/** Saved choice, else the first of the browser's languages we speak, else Swedish. */
export function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(storageKey);
    if (isLang(saved)) return saved;
  } catch {
    // storage blocked (privacy mode): fall through
  }
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const primary = tag?.toLowerCase().split('-')[0];
    if (isLang(primary)) return primary;
    // Norwegian and Danish readers get Swedish rather than English.
    if (primary === 'nb' || primary === 'nn' || primary === 'no' || primary === 'da') return 'sv';
  }
  return 'sv';
}

export function saveLang(lang: Lang): void {
  try {
    localStorage.setItem(storageKey, lang);
  } catch {
    // not persisted; the choice still holds for this page
  }
}

const defaultLocale: Record<Lang, string> = { sv: 'sv-SE', en: 'en-GB', fi: 'fi-FI' };

/** The locale for formatting dates and times: the browser's own variant of `lang` if it has one. */
export function localeFor(lang: Lang): string {
  const tags = navigator.languages ?? [];
  const own = tags.find((t) => t.toLowerCase().split('-')[0] === lang && t.includes('-'));
  return own ?? defaultLocale[lang];
}

export interface Picked {
  text: string;
  /** The language the text is actually in (differs from the wanted one after a fallback). */
  lang: string;
}

/** Content text in `lang`, falling back to Swedish, then to any language present. */
export function pick(text: LocalizedText | undefined, lang: Lang): Picked {
  if (text) {
    const wanted = text[lang];
    if (wanted) return { text: wanted, lang };
    if (text.sv) return { text: text.sv, lang: 'sv' };
    for (const [l, t] of Object.entries(text)) if (t) return { text: t, lang: l };
  }
  return { text: '', lang };
}

/** `lang` attribute for content shown in another language than the UI's (after a fallback). */
export function langIf(textLang: string, uiLang: Lang): string | undefined {
  return textLang === uiLang ? undefined : textLang;
}
