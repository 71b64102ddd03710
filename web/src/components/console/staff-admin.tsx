// The console's Staff tab: who has which role for the event (remove a role), the invitations,
// and a new invitation by e-mail (the server sends it through the outbox).
import { useState } from 'preact/hooks';
import type { ConferenceEvent } from '../../api';
import type { Lang, Messages } from '../../i18n';
import { invite, listStaff, removeRole, STAFF_ROLES } from '../../org-api';
import { failure, formatInstant, LoadState, useLoad } from './common';

export function StaffTab({ event, lang, locale, t }: { event: ConferenceEvent; lang: Lang; locale: string; t: Messages }) {
  const o = t.org;
  const [staff, reload] = useLoad((signal) => listStaff(event.id, signal), [event.id]);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const role = (r: string) => o.roleNames[r] ?? r;
  const remove = async (account: string, r: string) => {
    setStatus(null);
    try {
      await removeRole(event.id, account, r);
      reload();
    } catch (e) {
      setStatus({ ok: false, text: failure(t, e) });
    }
  };
  return (
    <div class="console-staff">
      <p role="status" class={status?.ok === false ? 'form-error' : 'form-ok'} data-testid="staff-status">{status?.text ?? ''}</p>
      <LoadState state={staff} t={t} retry={reload}>
        {(s) => (
          <>
            <section class="console-section" aria-labelledby="staff-heading">
              <h2 id="staff-heading">{o.staff}</h2>
              {s.staff.length === 0 ? (
                <p class="empty">{o.noStaff}</p>
              ) : (
                <div class="table-wrap" tabIndex={0}>
                  <table class="console-table" data-testid="staff-table">
                    <thead>
                      <tr>
                        <th scope="col">{o.name}</th>
                        <th scope="col">{o.email}</th>
                        <th scope="col">{o.inviteRole}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {s.staff.map((m) => (
                        <tr key={m.account_id} data-testid="staff-row">
                          <th scope="row">{m.name}</th>
                          <td>{m.email}</td>
                          <td>
                            <ul class="chips">
                              {m.roles.map((r) => (
                                <li key={r} class="chip">
                                  {role(r)}
                                  {/* A role on every event is not this event's to remove. */}
                                  {m.roles_everywhere?.includes(r) ? (
                                    <span class="console-sub"> ({o.everyEvent})</span>
                                  ) : (
                                  <button type="button" class="chip-remove" aria-label={o.removeRole(role(r), m.name)} title={o.removeRole(role(r), m.name)} onClick={() => remove(m.account_id, r)} data-testid="remove-role">
                                    <span aria-hidden="true">×</span>
                                  </button>
                                  )}
                                </li>
                              ))}
                            </ul>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
            <section class="console-section" aria-labelledby="invitations-heading">
              <h2 id="invitations-heading">{o.pendingInvitations}</h2>
              {s.invitations.length === 0 ? (
                <p class="empty">{o.noInvitations}</p>
              ) : (
                <div class="table-wrap" tabIndex={0}>
                  <table class="console-table" data-testid="invitations-table">
                    <thead>
                      <tr>
                        <th scope="col">{o.email}</th>
                        <th scope="col">{o.name}</th>
                        <th scope="col">{o.inviteRole}</th>
                        <th scope="col">{o.status}</th>
                        <th scope="col">{o.expires}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {s.invitations.map((i) => (
                        <tr key={i.id} data-testid="invitation-row">
                          <th scope="row">{i.email}</th>
                          <td>{i.name}</td>
                          <td>{role(i.role)}</td>
                          <td>{o.invitationStates[i.state] ?? i.state}</td>
                          <td class="nowrap">{formatInstant(i.expires_at, locale, event.timezone)}</td>
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
      <InviteForm event={event} lang={lang} t={t} onSent={(email) => { setStatus({ ok: true, text: o.invitationSent(email) }); reload(); }} />
    </div>
  );
}

function InviteForm({ event, lang, t, onSent }: { event: ConferenceEvent; lang: Lang; t: Messages; onSent: (email: string) => void }) {
  const o = t.org;
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<string>('moderator');
  const [language, setLanguage] = useState<string>(lang);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await invite(event.id, { email: email.trim(), name: name.trim(), role, language });
      onSent(email.trim());
      setEmail('');
      setName('');
    } catch (err) {
      setError(failure(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="console-section" aria-labelledby="invite-staff-heading">
      <h2 id="invite-staff-heading">{o.inviteStaff}</h2>
      <form class="form form--grid" onSubmit={submit} data-testid="invite-staff-form">
        <div class="field">
          <label for="inv-email">{o.email}</label>
          <input id="inv-email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} data-testid="inv-email" />
        </div>
        <div class="field">
          <label for="inv-name">{o.name}</label>
          <input id="inv-name" value={name} onInput={(e) => setName(e.currentTarget.value)} data-testid="inv-name" />
        </div>
        <div class="field">
          <label for="inv-role">{o.inviteRole}</label>
          <select id="inv-role" value={role} onChange={(e) => setRole(e.currentTarget.value)} data-testid="inv-role">
            {STAFF_ROLES.map((r) => (
              <option key={r} value={r}>{o.roleNames[r] ?? r}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="inv-lang">{t.languageLabel}</label>
          <select id="inv-lang" value={language} onChange={(e) => setLanguage(e.currentTarget.value)}>
            <option value="sv" lang="sv">Svenska</option>
            <option value="en" lang="en">English</option>
            <option value="fi" lang="fi">Suomi</option>
          </select>
        </div>
        {error && <p class="form-error form-wide" role="alert">{error}</p>}
        <div class="form-actions form-wide">
          <button type="submit" class="button" disabled={busy || !email.trim()} data-testid="inv-send">{o.sendInvitation}</button>
        </div>
      </form>
    </section>
  );
}
