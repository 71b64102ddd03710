// A series in the console (#console/series/ID): its events table (date, responsible county,
// co-hosting county, city), CSV or JSON import of that table and its export.
import type { Lang, Messages } from '../../i18n';
import { langIf, pick } from '../../i18n';
import { getSeries, importSeries, seriesExport, type Series } from '../../org-api';
import { consoleHref } from '../../route';
import { LoadState, useLoad } from './common';
import { ImportForm } from './import-export';

export function SeriesPage({ id, lang, t }: { id: string; lang: Lang; locale: string; t: Messages }) {
  const o = t.org;
  const [series, reload] = useLoad((signal) => getSeries(id, signal), [id]);
  return (
    <div class="console" data-testid="console-series-page">
      <p class="console-back">
        <a href={consoleHref()}>← {o.backToEvents}</a>
      </p>
      <LoadState state={series} t={t} retry={reload}>
        {(s: Series) => {
          const name = pick(s.name, lang);
          const events = s.events ?? [];
          return (
            <>
              <h1 class="console-title" lang={langIf(name.lang, lang)}>{name.text || s.id}</h1>
              <section class="console-section" aria-labelledby="series-events-heading">
                <h2 id="series-events-heading">{o.seriesEvents}</h2>
                <div class="table-wrap" tabIndex={0}>
                  <table class="console-table" data-testid="series-events">
                    <thead>
                      <tr>
                        <th scope="col">{o.date}</th>
                        <th scope="col">{o.responsibleCounty}</th>
                        <th scope="col">{o.coHostingCounty}</th>
                        <th scope="col">{o.city}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {events.map((e, i) => (
                        <tr key={`${e.date}-${i}`}>
                          <td class="nowrap">{e.event_id ? <a href={consoleHref(e.event_id)}>{e.date}</a> : e.date}</td>
                          <td>{e.responsible_county}</td>
                          <td>{e.cohost_county ?? ''}</td>
                          <th scope="row">{e.city}</th>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </section>
              <div class="console-columns">
                <section class="console-section" aria-labelledby="series-import-heading">
                  <h2 id="series-import-heading">{o.importSeriesTitle}</h2>
                  <p class="console-note">{o.importSeriesIntro}</p>
                  <ImportForm id="series-import" t={t} send={(text, type, dryRun) => importSeries(s.id, text, type, dryRun)} onDone={reload} />
                </section>
                <section class="console-section" aria-labelledby="series-export-heading">
                  <h2 id="series-export-heading">{o.exportTitle}</h2>
                  <ul class="link-list">
                    <li><a href={seriesExport(s.id, 'csv')} download>CSV</a></li>
                    <li><a href={seriesExport(s.id, 'json')} download>JSON</a></li>
                  </ul>
                </section>
              </div>
            </>
          );
        }}
      </LoadState>
    </div>
  );
}
