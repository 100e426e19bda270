/**
 * Where the API is and which token to send, read once at start-up. The API URL, first found of:
 * `?api=` in the page's URL (kept for the tab in session storage), session storage, the
 * `<meta name="tekton-results-api">` of index.html, `apiUrl` of `config.json` next to
 * index.html; else the page's own origin (the Results server serving the UI). The token:
 * session storage, set from the sign-in form.
 *
 * @module
 */

/** The runtime configuration of the UI. */
export interface UiConfig {
  /** The API's base URL (no trailing slash), e.g. `https://results.example.com`. */
  apiUrl: string;
  /** A bearer token for every request, when one was given. */
  token?: string | undefined;
}

/** The session storage key of the API URL. */
export const API_KEY = "tekton-results-api";
/** The session storage key of the bearer token. */
export const TOKEN_KEY = "tekton-results-token";

/** What {@link loadConfig} reads from; the browser's by default. */
export interface ConfigSources {
  location: Pick<Location, "href" | "origin">;
  storage: Pick<Storage, "getItem" | "setItem">;
  document: Pick<Document, "querySelector">;
  /** `config.json`'s text, or `undefined` when there is none. */
  fetchConfigJson: () => Promise<string | undefined>;
  /** The base path of the app (Vite's `BASE_URL`). */
  base: string;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

async function configJsonApi(sources: ConfigSources): Promise<string | undefined> {
  try {
    const text = await sources.fetchConfigJson();
    if (text === undefined) return undefined;
    const json = JSON.parse(text) as { apiUrl?: unknown };
    return typeof json.apiUrl === "string" && json.apiUrl !== "" ? json.apiUrl : undefined;
  } catch {
    return undefined;
  }
}

/** Read the configuration (see the module's comment for the order). */
export async function loadConfig(sources: ConfigSources): Promise<UiConfig> {
  const fromQuery = new URL(sources.location.href).searchParams.get("api");
  if (fromQuery) sources.storage.setItem(API_KEY, fromQuery);
  const meta = sources.document
    .querySelector('meta[name="tekton-results-api"]')
    ?.getAttribute("content");
  const api =
    fromQuery ||
    sources.storage.getItem(API_KEY) ||
    meta ||
    (await configJsonApi(sources)) ||
    `${sources.location.origin}${sources.base}`;
  const token = sources.storage.getItem(TOKEN_KEY) ?? undefined;
  return { apiUrl: trimSlash(new URL(api, sources.location.href).href), token };
}

/** The browser's sources of the configuration. */
export function browserSources(): ConfigSources {
  const base = import.meta.env.BASE_URL;
  return {
    location: window.location,
    storage: window.sessionStorage,
    document,
    base,
    fetchConfigJson: async () => {
      const res = await fetch(`${base}config.json`, {
        cache: "no-cache",
        headers: { accept: "application/json" },
      });
      return res.ok ? await res.text() : undefined;
    },
  };
}
