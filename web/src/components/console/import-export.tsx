// The console's Import and export tab: upload a program as CSV or JSON (all or nothing; the
// server's problems, each with its line and column, in a table; "only check" is a dry run),
// and the downloads: the program as CSV and JSON, the event's calendar.
import { useState } from 'preact/hooks';
import type { ConferenceEvent } from '../../api';
import type { Messages } from '../../i18n';
import { eventCalendar, importProgram, programExport, RequestError, type ImportProblem } from '../../org-api';
import { failure } from './common';

/** The type to send a file as: by its name, else what the browser says. */
export function fileType(file: File): string {
  if (/\.json$/i.test(file.name)) return 'application/json';
  if (/\.csv$/i.test(file.name)) return 'text/csv';
  return file.type || 'text/csv';
}

type Result = { kind: 'done'; dryRun: boolean } | { kind: 'problems'; problems: ImportProblem[] } | { kind: 'error'; text: string };

/** An upload form with the problems table; `send` posts the file. */
export function ImportForm({ id, t, send, onDone }: { id: string; t: Messages; send: (text: string, type: string, dryRun: boolean) => Promise<unknown>; onDone: () => void }) {
  const o = t.org;
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setResult(null);
    try {
      await send(await file.text(), fileType(file), dryRun);
      setResult({ kind: 'done', dryRun });
      if (!dryRun) onDone();
    } catch (err) {
      if (err instanceof RequestError && err.problems.length) setResult({ kind: 'problems', problems: err.problems });
      else setResult({ kind: 'error', text: failure(t, err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit} data-testid={`${id}-form`}>
      <div class="field">
        <label for={`${id}-file`}>{o.file}</label>
        <input id={`${id}-file`} type="file" accept=".csv,.json,text/csv,application/json" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} data-testid={`${id}-file`} />
      </div>
      <label class="check">
        <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} data-testid={`${id}-dry-run`} />
        {o.checkOnly}
      </label>
      <div class="form-actions">
        <button type="submit" class="button" disabled={busy || !file} data-testid={`${id}-submit`}>{busy ? o.saving : o.importButton}</button>
      </div>
      <div role="status" data-testid={`${id}-result`}>
        {result?.kind === 'done' && <p class="form-ok">{result.dryRun ? o.checkDone : o.importDone}</p>}
        {result?.kind === 'error' && <p class="form-error">{result.text}</p>}
        {result?.kind === 'problems' && <p class="form-error">{o.importProblems(result.problems.length)}</p>}
      </div>
      {result?.kind === 'problems' && (
        <div class="table-wrap" tabIndex={0}>
          <table class="console-table" data-testid={`${id}-problems`}>
            <thead>
              <tr>
                <th scope="col">{o.line}</th>
                <th scope="col">{o.field}</th>
                <th scope="col">{o.problem}</th>
              </tr>
            </thead>
            <tbody>
              {result.problems.map((p, i) => (
                <tr key={i} data-testid="import-problem">
                  <td>{p.line}</td>
                  <td>{p.field}</td>
                  <td>{p.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </form>
  );
}

export function ImportExportTab({ event, t, onImported }: { event: ConferenceEvent; t: Messages; onImported: () => void }) {
  const o = t.org;
  return (
    <div class="console-columns">
      <section class="console-section" aria-labelledby="import-heading">
        <h2 id="import-heading">{o.importTitle}</h2>
        <p class="console-note">{o.importIntro}</p>
        <ImportForm id="program-import" t={t} send={(text, type, dryRun) => importProgram(event.id, text, type, dryRun)} onDone={onImported} />
      </section>
      <section class="console-section" aria-labelledby="export-heading">
        <h2 id="export-heading">{o.exportTitle}</h2>
        <ul class="link-list" data-testid="exports">
          <li><a href={programExport(event.id, 'csv')} download>{o.downloadCsv}</a></li>
          <li><a href={programExport(event.id, 'json')} download>{o.downloadJson}</a></li>
          <li><a href={eventCalendar(event.id)} download>{o.downloadIcal}</a></li>
        </ul>
      </section>
    </div>
  );
}
