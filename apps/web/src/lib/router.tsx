import {
  type AnchorHTMLAttributes,
  type MouseEvent,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useSyncExternalStore,
} from "react";

// A History-API router small enough to read in one sitting: the location is an external store,
// `navigate` pushes and notifies, `matchPath` turns `/tasks/:id` patterns into params.

const NAVIGATE_EVENT = "crondeck:navigate";

function subscribe(onChange: () => void): () => void {
  // Back/Forward: a page that must be asked first gets the address back before anyone re-renders.
  const onPopState = () => {
    if (!holdPopState()) onChange();
  };
  window.addEventListener("popstate", onPopState);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener("popstate", onPopState);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const getHref = () => window.location.pathname + window.location.search;

export interface Location {
  pathname: string;
  search: string;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, getHref, getHref);
  return useMemo(() => {
    const url = new URL(href, "http://x");
    return { pathname: url.pathname, search: url.search };
  }, [href]);
}

/**
 * Something on the page that must be asked before leaving it (a form with unsaved changes): given
 * where the user wants to go and how to go there after all, it returns true when it holds the way.
 */
type Blocker = (to: string, proceed: () => void) => boolean;
/** Each blocker with the address of the page it guards. */
const blockers = new Map<Blocker, string>();

/**
 * After Back/Forward left a guarded page: puts its address back and asks its blocker about the
 * address the user went to. True when it did (the location did not change after all).
 */
function holdPopState(): boolean {
  const to = getHref();
  for (const [blocker, here] of blockers) {
    if (to === here) return false;
    window.history.pushState(null, "", here);
    blocker(to, () => navigate(to, { force: true }));
    return true;
  }
  return false;
}

/**
 * `force` goes even past a blocker: for leaving on purpose (after a save, when the session ended).
 */
export function navigate(to: string, options: { replace?: boolean; force?: boolean } = {}): void {
  if (to === getHref()) return;
  if (!options.force) {
    for (const blocker of blockers.keys()) if (blocker(to, () => navigate(to, { ...options, force: true }))) return;
  }
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** Params of `pattern` (e.g. `/tasks/:id/edit`) in `pathname`, or null when it does not match. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split("/").filter(Boolean);
  const have = pathname.split("/").filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const h = have[i] as string;
    if (w.startsWith(":")) params[w.slice(1)] = decodeURIComponent(h);
    else if (w !== h) return null;
  }
  return params;
}

/**
 * While `when` holds, leaving the page asks first: in-app links and navigate() call `onBlock` with
 * the destination and how to go there after all; the Back button is undone and asked about the
 * same way; closing or reloading the tab gets the browser's own question.
 */
export function useBlocker(when: boolean, onBlock: (to: string, proceed: () => void) => void): void {
  const callback = useRef(onBlock);
  callback.current = onBlock;
  useEffect(() => {
    if (!when) return;
    const here = getHref();
    const blocker: Blocker = (to, proceed) => {
      callback.current(to, proceed);
      return true;
    };
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers show the dialog only when returnValue is set.
      event.returnValue = "";
    };
    blockers.set(blocker, here);
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      blockers.delete(blocker);
      window.removeEventListener("beforeunload", onBeforeUnload);
    };
  }, [when]);
}

/** The query string as state: setting a value to "" or null removes it; replaces the entry. */
export function useSearchParams(): [
  URLSearchParams,
  (changes: Record<string, string | readonly string[] | null>) => void,
] {
  const { pathname, search } = useLocation();
  const params = useMemo(() => new URLSearchParams(search), [search]);
  const update = useCallback(
    (changes: Record<string, string | readonly string[] | null>) => {
      const next = new URLSearchParams(search);
      for (const [key, value] of Object.entries(changes)) {
        next.delete(key);
        // A list is the parameter repeated (`tag=a&tag=b`); an empty one removes it.
        if (Array.isArray(value)) for (const item of value) next.append(key, item);
        else if (value !== null && value !== "") next.set(key, value as string);
      }
      const qs = next.toString();
      navigate(`${pathname}${qs ? `?${qs}` : ""}`, { replace: true });
    },
    [pathname, search],
  );
  return [params, update];
}

export interface LinkProps extends AnchorHTMLAttributes<HTMLAnchorElement> {
  to: string;
}

/** An ordinary anchor (so open-in-new-tab works) that navigates in place on a plain click. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (rest.target && rest.target !== "_self") return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
