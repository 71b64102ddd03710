import { catalogs, languages, type Lang } from '../i18n';

interface Props {
  lang: Lang;
  onChange: (lang: Lang) => void;
}

/** One button per language, each labelled in its own language; the chosen one is pressed. */
export function LanguageSwitcher({ lang, onChange }: Props) {
  const t = catalogs[lang];
  return (
    <div class="lang-switch" role="group" aria-labelledby="lang-label" data-testid="language-switcher">
      <span id="lang-label" class="lang-label">
        {t.languageLabel}
      </span>
      <div class="lang-buttons">
        {languages.map((l) => (
          <button
            key={l}
            type="button"
            class="lang-button"
            lang={l}
            aria-pressed={l === lang}
            data-testid={`lang-${l}`}
            onClick={() => onChange(l)}
          >
            {catalogs[l].languageName}
          </button>
        ))}
      </div>
    </div>
  );
}
