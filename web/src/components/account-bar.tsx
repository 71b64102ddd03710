// The top bar's staff corner: "Staff sign-in" for everybody, or the signed-in account's name
// with the console (organizers), "Sign out" and "Sign out everywhere".
import { useContext, useState } from 'preact/hooks';
import type { Messages } from '../i18n';
import { isOrganizer } from '../org-api';
import { consoleHref } from '../route';
import { StaffContext } from '../staff';

export function AccountBar({ t }: { t: Messages }) {
  const o = t.org;
  const staff = useContext(StaffContext);
  const [busy, setBusy] = useState(false);
  if (staff.loading) return null;
  if (!staff.account) {
    return (
      <a class="topbar-link" href="#sign-in" data-testid="staff-sign-in-link">
        {o.staffSignIn}
      </a>
    );
  }
  const out = (everywhere: boolean) => {
    setBusy(true);
    staff.signOut(everywhere).finally(() => {
      setBusy(false);
      location.hash = '';
    });
  };
  return (
    <div class="account-bar" data-testid="account-bar">
      <span class="account-name" data-testid="account-name">
        <span class="visually-hidden">{o.signedInAs('')}</span>
        {staff.account.name}
      </span>
      {isOrganizer(staff.account) && (
        <a class="topbar-link" href={consoleHref()} data-testid="console-link">
          {o.console}
        </a>
      )}
      <button type="button" class="topbar-button" disabled={busy} onClick={() => out(false)} data-testid="sign-out">
        {o.signOut}
      </button>
      <button type="button" class="topbar-button" disabled={busy} onClick={() => out(true)} data-testid="sign-out-everywhere">
        {o.signOutEverywhere}
      </button>
    </div>
  );
}
