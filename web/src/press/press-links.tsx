// On the event page: "Press accreditation" (the public form) for everyone, and the press
// officer's console for staff who manage the press (organizers and press officers, signed in or
// with a join link). The words are here rather than in i18n/press-*.ts so that the attendee's
// first page does not load the press catalogs.
import type { Lang } from '../i18n';
import { accreditHref, pressOfficeHref } from '../route';
import './links.css';

const ACCREDIT: Record<Lang, string> = { sv: 'Ackreditering för press', en: 'Press accreditation', fi: 'Median akkreditointi' };
const OFFICE: Record<Lang, string> = { sv: 'Pressrummet (presskontakt)', en: 'Press office', fi: 'Mediapalvelu (mediayhteyshenkilö)' };
const LABEL: Record<Lang, string> = { sv: 'Press', en: 'Press', fi: 'Media' };

export function PressLinks({ event, lang, officer }: { event: string; lang: Lang; officer: boolean }) {
  return (
    <nav class="press-links" aria-label={LABEL[lang]} data-testid="press-links">
      <a href={accreditHref(event)} data-testid="press-accredit-link">{ACCREDIT[lang]}</a>
      {officer && (
        <a href={pressOfficeHref(event)} data-testid="press-office-link">{OFFICE[lang]}</a>
      )}
    </nav>
  );
}
