/**
 * A small history router: paths are the console's own (`/destinations`), shown under the
 * `/console` base the receiver serves; patterns take `:param` segments. The table is in
 * routes.tsx.
 */
import type { ComponentChildren, ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/console';

export interface RouteProps {
  params: Record<string, string>;
}

export interface RouteDef {
  /** `/destinations`, `/event-types/:name`. */
  path: string;
  /** Page title, and the nav label when `nav` is set. */
  title: string;
  /** Shown in the navigation bar, in table order. */
  nav?: boolean;
  component: ComponentType<RouteProps>;
}

export interface Match {
  route: RouteDef;
  params: Record<string, string>;
}

/** The console path of the current location (`/console/destinations?x=1` → `/destinations`). */
export function currentPath(): string {
  const p = window.location.pathname;
  const rest = p === BASE ? '/' : p.startsWith(`${BASE}/`) ? p.slice(BASE.length) : '/';
  return rest === '' ? '/' : rest;
}

export function matchRoute(routes: readonly RouteDef[], path: string): Match | undefined {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((seg, i) => {
      const part = parts[i] as string;
      if (seg.startsWith(':')) {
        try {
          params[seg.slice(1)] = decodeURIComponent(part);
        } catch {
          return false;
        }
        return true;
      }
      return seg === part;
    });
    if (ok) return { route, params };
  }
  return undefined;
}

const CHANGE = 'console:navigate';

/** Go to a console path (with an optional query string), adding a history entry. */
export function navigate(to: string, replace = false): void {
  const url = `${BASE}${to.startsWith('/') ? to : `/${to}`}`;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new Event(CHANGE));
}

/** The current console path; re-renders on navigation and back/forward. */
export function useLocation(): { path: string } {
  const read = () => ({ path: currentPath() });
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const update = () => setLoc(read());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return loc;
}

/** An in-app link: a real href (open in a new tab works), history navigation on a plain click. */
export function Link({
  to,
  children,
  class: className,
  title,
}: {
  to: string;
  children?: ComponentChildren;
  class?: string | undefined;
  title?: string;
}) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={`${BASE}${to}`} onClick={onClick} class={className} title={title}>
      {children}
    </a>
  );
}
