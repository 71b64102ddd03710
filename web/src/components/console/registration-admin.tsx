// The console's Registration tab: when it opens and closes (typed in the event's time zone;
// the server converts to UTC), the seats, the ways to attend, the counts per mode, the list
// and its CSV export.
import { useState } from 'preact/hooks';
import type { ConferenceEvent } from '../../api';
import type { Messages } from '../../i18n';
import { getRegistration, listRegistrations, putRegistration, registrationsCsv, type Mode, type RegistrationInfo, type RegistrationList } from '../../org-api';
import { failure, formatInstant, LoadState, useLoad } from './common';

/** "YYYY-MM-DDTHH:MM" in `zone` for a UTC instant (for a datetime-local field). */
export function localInput(utc: string | null | undefined, zone: string): string {
  if (!utc) return '';
  const ms = Date.parse(utc);
  if (!Number.isFinite(ms)) return '';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return `${parts['year']}-${parts['month']}-${parts['day']}T${parts['hour']}:${parts['minute']}`;
}

export function RegistrationAdmin({ event, locale, t }: { event: ConferenceEvent; locale: string; t: Messages }) {
  const o = t.org;
  const zone = event.timezone ?? 'Europe/Stockholm';
  const [info, reloadInfo] = useLoad((signal) => getRegistration(event.id, signal), [event.id]);
  const [list, reloadList] = useLoad((signal) => listRegistrations(event.id, signal), [event.id]);
  return (
    <div class="console-registration">
      <LoadState state={info} t={t} retry={reloadInfo}>
        {(i: RegistrationInfo) => <Settings event={event} info={i} zone={zone} t={t} onSaved={() => { reloadInfo(); reloadList(); }} />}
      </LoadState>
      <LoadState state={list} t={t} retry={reloadList}>
        {(l: RegistrationList) => (
          <>
            <section class="console-section" aria-labelledby="counts-heading">
              <h2 id="counts-heading">{o.counts}</h2>
              <ul class="counts" data-testid="registration-counts">
                {(Object.keys(o.modeNames) as Mode[]).filter((m) => l.counts[m]).map((m) => (
                  <li key={m} data-mode={m}>
                    <strong>{o.modeNames[m]}</strong>: {o.registeredCount(l.counts[m]?.registered ?? 0)}, {o.waitlistedCount(l.counts[m]?.waitlisted ?? 0)}
                  </li>
                ))}
              </ul>
            </section>
            <section class="console-section" aria-labelledby="registrations-heading">
              <div class="console-section-head">
                <h2 id="registrations-heading">{o.registrations}</h2>
                <a class="button button--secondary button--small" href={registrationsCsv(event.id)} download data-testid="registrations-csv">{o.downloadRegistrations}</a>
              </div>
              {l.registrations.length === 0 ? (
                <p class="empty">{o.noRegistrations}</p>
              ) : (
                <div class="table-wrap" tabIndex={0}>
                  <table class="console-table" data-testid="registrations-table">
                    <thead>
                      <tr>
                        <th scope="col">{o.name}</th>
                        <th scope="col">{o.email}</th>
                        <th scope="col">{o.organization}</th>
                        <th scope="col">{o.modes}</th>
                        <th scope="col">{o.status}</th>
                        <th scope="col">{o.created}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {l.registrations.map((r) => (
                        <tr key={r.id}>
                          <th scope="row">{r.name}</th>
                          <td>{r.email}</td>
                          <td>{r.organization ?? ''}</td>
                          <td>{o.modeNames[r.mode] ?? r.mode}</td>
                          <td>{o.statusNames[r.status] ?? r.status}</td>
                          <td class="nowrap">{r.created_at ? formatInstant(r.created_at, locale, zone) : ''}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          </>
        )}
      </LoadState>
    </div>
  );
}

function Settings({ event, info, zone, t, onSaved }: { event: ConferenceEvent; info: RegistrationInfo; zone: string; t: Messages; onSaved: () => void }) {
  const o = t.org;
  const [opens, setOpens] = useState(info.opens_at_local ?? localInput(info.opens_at, zone));
  const [closes, setCloses] = useState(info.closes_at_local ?? localInput(info.closes_at, zone));
  const [capacity, setCapacity] = useState(info.capacity === null || info.capacity === undefined ? '' : String(info.capacity));
  const [modes, setModes] = useState<Mode[]>(info.modes.length ? info.modes : ['hall']);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const toggle = (m: Mode, on: boolean) => setModes(on ? [...new Set([...modes, m])] : modes.filter((x) => x !== m));
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      await putRegistration(event.id, { opens_at_local: opens, closes_at_local: closes, capacity: capacity.trim() ? Number(capacity) : null, modes });
      setStatus({ ok: true, text: o.settingsSaved });
      onSaved();
    } catch (err) {
      setStatus({ ok: false, text: failure(t, err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="console-section" aria-labelledby="reg-settings-heading">
      <h2 id="reg-settings-heading">{o.registrationSettings}</h2>
      <p class="console-note" data-testid="registration-state">{o.regStateText[info.state] ?? info.state}</p>
      <form class="form form--grid" onSubmit={submit} data-testid="registration-settings">
        <p class="field-hint form-wide" id="reg-zone">{o.inZone(zone)}</p>
        <div class="field">
          <label for="reg-opens">{o.opensAt}</label>
          <input id="reg-opens" type="datetime-local" value={opens} aria-describedby="reg-zone" onInput={(e) => setOpens(e.currentTarget.value)} data-testid="reg-opens" />
        </div>
        <div class="field">
          <label for="reg-closes">{o.closesAt}</label>
          <input id="reg-closes" type="datetime-local" value={closes} aria-describedby="reg-zone" onInput={(e) => setCloses(e.currentTarget.value)} data-testid="reg-closes" />
        </div>
        <div class="field">
          <label for="reg-capacity">{o.capacity}</label>
          <input id="reg-capacity" type="number" min={0} inputMode="numeric" value={capacity} aria-describedby="reg-capacity-hint" onInput={(e) => setCapacity(e.currentTarget.value)} data-testid="reg-capacity" />
          <span id="reg-capacity-hint" class="field-hint">{o.capacityHint}</span>
        </div>
        <fieldset class="field fieldset">
          <legend>{o.modes}</legend>
          {(['hall', 'remote'] as const).map((m) => (
            <label class="check" key={m}>
              <input type="checkbox" checked={modes.includes(m)} onChange={(e) => toggle(m, e.currentTarget.checked)} data-testid={`reg-mode-${m}`} />
              {o.modeNames[m]}
            </label>
          ))}
        </fieldset>
        <div class="form-actions form-wide">
          <button type="submit" class="button" disabled={busy} data-testid="reg-save">{busy ? o.saving : o.saveSettings}</button>
        </div>
        <p role="status" class={`form-wide ${status?.ok === false ? 'form-error' : 'form-ok'}`}>{status?.text ?? ''}</p>
      </form>
    </section>
  );
}
