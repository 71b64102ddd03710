// The staff pages (console, sign-in, invitation) and the registration manage page are loaded
// only when the address names one: the attendee's first page does not pay for them.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Messages } from '../i18n';

export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>) {
  let loaded: ComponentType<P> | null = null;
  return function Lazy(props: P & { t: Messages }) {
    const [Component, setComponent] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Component) return;
      load().then(
        (c) => {
          loaded = c;
          setComponent(() => c);
        },
        () => setFailed(true),
      );
    }, [Component]);
    if (failed) {
      return (
        <div class="state state--error" role="alert">
          <p>{props.t.errorUnreachable}</p>
          <button type="button" class="button" onClick={() => location.reload()}>
            {props.t.retry}
          </button>
        </div>
      );
    }
    if (!Component) {
      return (
        <div class="state state--loading" role="status">
          <span class="spinner" aria-hidden="true" />
          <span>{props.t.loading}</span>
        </div>
      );
    }
    return <Component {...props} />;
  };
}
