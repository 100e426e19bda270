/**
 * Light or dark, as the system prefers (`prefers-color-scheme`), following its changes.
 *
 * @module
 */
import { useEffect, useState } from "react";

/** The Carbon theme of each scheme. */
export type CarbonTheme = "white" | "g100";

const QUERY = "(prefers-color-scheme: dark)";

function current(): CarbonTheme {
  return typeof window.matchMedia === "function" && window.matchMedia(QUERY).matches
    ? "g100"
    : "white";
}

/** The Carbon theme of the system's colour scheme, updated when it changes. */
export function usePreferredTheme(): CarbonTheme {
  const [theme, setTheme] = useState<CarbonTheme>(current);
  useEffect(() => {
    if (typeof window.matchMedia !== "function") return undefined;
    const media = window.matchMedia(QUERY);
    const onChange = (): void => setTheme(current());
    media.addEventListener("change", onChange);
    return () => media.removeEventListener("change", onChange);
  }, []);
  return theme;
}
