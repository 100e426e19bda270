/**
 * The current time, refreshed every 30 seconds, for relative times and running durations.
 *
 * @module
 */
import { useEffect, useState } from "react";

/** Now, updated every `intervalMs`. */
export function useNow(intervalMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
