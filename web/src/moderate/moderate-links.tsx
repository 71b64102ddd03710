// For moderators and organizers on the event page: one link per room to its moderator console
// (#moderate/E/R). Its three words are here rather than in i18n/mod-*.ts so that the attendee's
// first page does not load the console's catalogs.
import type { ConferenceEvent } from '../api';
import { langIf, pick, type Lang } from '../i18n';
import { moderateHref } from '../route';
import './links.css';

const LABEL: Record<Lang, string> = { sv: 'Moderera', en: 'Moderate', fi: 'Moderoi' };

export function ModerateLinks({ event, lang }: { event: ConferenceEvent; lang: Lang }) {
  return (
    <nav class="moderate-links" aria-label={LABEL[lang]} data-testid="moderate-links">
      <span class="moderate-links-label">{LABEL[lang]}:</span>
      <ul>
        {event.rooms.map((r) => {
          const name = pick(r.name, lang);
          return (
            <li key={r.id}>
              <a href={moderateHref(event.id, r.id)} lang={langIf(name.lang, lang)} data-testid="moderate-link" data-room-id={r.id}>
                {name.text || r.id}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
