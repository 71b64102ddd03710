// The console's Registration tab: when it opens and closes (typed in the event's time zone;
// the server converts to UTC), the seats (the hall's and, in a hybrid event, the remote
// places), the waiting list, the ways to attend, the consent text's version, the counts per
// mode, the list and its CSV export.
import { useState } from 'preact/hooks';
import type { ConferenceEvent } from '../../api';
import type { Messages } from '../../i18n';
import { getRegistration, listRegistrations, putRegistration, registrationsCsv, type Mode, type ModeCounts, type RegistrationInfo, type RegistrationList } from '../../org-api';
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
  const [info, reloadInfo] = useLoad((signal) => getRegistration(event.id, signal), [event.id]);
  const [list, reloadList] = useLoad((signal) => listRegistrations(event.id, signal), [event.id]);
  return (
    <div class="console-registration">
      <LoadState state={info} t={t} retry={reloadInfo}>
        {(i: RegistrationInfo) => <Settings event={event} info={i} zone={i.timezone ?? event.timezone ?? 'Europe/Stockholm'} t={t} onSaved={() => { reloadInfo(); reloadList(); }} />}
      </LoadState>
      <LoadState state={list} t={t} retry={reloadList}>
        {(l: RegistrationList & { timezone?: string }) => <List event={event} list={l} locale={locale} t={t} />}
      </LoadState>
    </div>
  );
}

function countsLine(o: Messages['org'], c: ModeCounts | undefined) {
  return `${o.registeredCount(c?.registered ?? 0)}, ${o.waitlistedCount(c?.waitlisted ?? 0)}, ${o.cancelledCount(c?.cancelled ?? 0)}`;
}

function List({ event, list: l, locale, t }: { event: ConferenceEvent; list: RegistrationList & { timezone?: string }; locale: string; t: Messages }) {
  const o = t.org;
  const zone = l.timezone ?? event.timezone ?? 'Europe/Stockholm';
  // The modes that have counts (both in a hybrid event, or with registrations under a mode since dropped).
  const modes = (['hall', 'remote'] as Mode[]).filter((m) => {
    const c = l.counts[m];
    return c && c.registered + c.waitlisted + c.cancelled > 0;
  });
  return (
          <>
            <section class="console-section" aria-labelledby="counts-heading">
              <h2 id="counts-heading">{o.counts}</h2>
              <ul class="counts" data-testid="registration-counts">
                {modes.map((m) => (
                  <li key={m} data-mode={m}>
                    <strong>{o.modeNames[m]}</strong>: {countsLine(o, l.counts[m])}
                  </li>
                ))}
                <li data-mode="total">
                  <strong>{o.countsTotal}</strong>: {countsLine(o, l.counts.total)}
                </li>
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
                          <th scope="row">{r.name || (r.erased ? '—' : '')}</th>
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
  );
}

function Settings({ event, info, zone, t, onSaved }: { event: ConferenceEvent; info: RegistrationInfo; zone: string; t: Messages; onSaved: () => void }) {
  const o = t.org;
  const [opens, setOpens] = useState(info.opens_at_local ?? localInput(info.opens_at, zone));
  const [closes, setCloses] = useState(info.closes_at_local ?? localInput(info.closes_at, zone));
  // 0 is unlimited on the server: an empty field here.
  const seats = (n: number | null | undefined) => (n ? String(n) : '');
  const [capacity, setCapacity] = useState(seats(info.capacity));
  const [remoteCapacity, setRemoteCapacity] = useState(seats(info.remote_capacity));
  const [waitlist, setWaitlist] = useState(info.waitlist ?? true);
  const [consentVersion, setConsentVersion] = useState(info.consent_version ?? '');
  const [modes, setModes] = useState<Mode[]>(info.modes.length ? info.modes : ['hall']);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const toggle = (m: Mode, on: boolean) => setModes(on ? [...new Set([...modes, m])] : modes.filter((x) => x !== m));
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      const both = modes.length > 1;
      await putRegistration(event.id, {
        opens_at: opens,
        closes_at: closes,
        capacity: capacity.trim() ? Number(capacity) : null,
        ...(both ? { remote_capacity: remoteCapacity.trim() ? Number(remoteCapacity) : 0 } : {}),
        waitlist,
        modes: (['hall', 'remote'] as Mode[]).filter((m) => modes.includes(m)),
        ...(consentVersion.trim() ? { consent_version: consentVersion.trim() } : {}),
      });
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
      <p class="console-note" data-testid="registration-state" data-state={info.state}>
        {info.state === 'full' ? o.regFullText : (o.regStateText[info.state] ?? info.state)}
      </p>
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
          <label for="reg-capacity">{modes.length > 1 ? o.hallCapacity : o.capacity}</label>
          <input id="reg-capacity" type="number" min={0} inputMode="numeric" value={capacity} aria-describedby="reg-capacity-hint" onInput={(e) => setCapacity(e.currentTarget.value)} data-testid="reg-capacity" />
          <span id="reg-capacity-hint" class="field-hint">{o.capacityHint}</span>
        </div>
        {modes.length > 1 && (
          <div class="field">
            <label for="reg-remote-capacity">{o.remoteCapacity}</label>
            <input id="reg-remote-capacity" type="number" min={0} inputMode="numeric" value={remoteCapacity} aria-describedby="reg-remote-capacity-hint" onInput={(e) => setRemoteCapacity(e.currentTarget.value)} data-testid="reg-remote-capacity" />
            <span id="reg-remote-capacity-hint" class="field-hint">{o.remoteCapacityHint}</span>
          </div>
        )}
        <div class="field">
          <label for="reg-consent-version">{o.consentVersion}</label>
          <input id="reg-consent-version" maxLength={40} value={consentVersion} aria-describedby="reg-consent-version-hint" onInput={(e) => setConsentVersion(e.currentTarget.value)} data-testid="reg-consent-version" />
          <span id="reg-consent-version-hint" class="field-hint">{o.consentVersionHint}</span>
        </div>
        <label class="check form-wide">
          <input type="checkbox" checked={waitlist} onChange={(e) => setWaitlist(e.currentTarget.checked)} data-testid="reg-waitlist" />
          {o.waitlistSetting}
        </label>
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
