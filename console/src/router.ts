// Routes live in the URL's hash (#/portfolios/7), so the server serves one page.
import { useEffect, useState } from "preact/hooks";

export type Route = { path: string; params: URLSearchParams };

function current(): Route {
  const [path, query = ""] = (location.hash.slice(1) || "/portfolios").split("?");
  return { path, params: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const changed = () => setRoute(current());
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return route;
}

export function navigate(path: string, params?: Record<string, string | number | undefined>) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== "") query.set(key, String(value));
  }
  const text = query.toString();
  location.hash = text ? `${path}?${text}` : path;
}

/** ``match("/portfolios/:id", "/portfolios/7")`` → ``{id: "7"}``, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const names: string[] = [];
  const regex = new RegExp(
    "^" + pattern.replace(/:(\w+)/g, (_, name) => (names.push(name), "([^/]+)")) + "$",
  );
  const found = regex.exec(path);
  if (!found) return null;
  try {
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1])]));
  } catch {
    return null; // a malformed hash names no screen
  }
}
