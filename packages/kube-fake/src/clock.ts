/**
 * Time and names as the API server makes them: RFC 3339 timestamps, uids, `generateName`
 * suffixes, and the ages `kubectl get` shows.
 *
 * @module
 */
import { randomUUID } from "node:crypto";

/** The current time as the API server writes timestamps (RFC 3339, seconds precision). */
export function nowTimestamp(now?: Date): string {
  if (now) return now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const second = Math.floor(Date.now() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastStamp = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  return lastStamp;
}

let lastSecond = -1;
let lastStamp = "";

/** A new object uid. */
export function newUid(): string {
  return randomUUID();
}

const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** The random suffix the API server appends to `generateName` (5 characters). */
export function randomSuffix(): string {
  let s = "";
  for (let i = 0; i < 5; i++)
    s += SUFFIX_ALPHABET[Math.floor(Math.random() * SUFFIX_ALPHABET.length)];
  return s;
}

/** Renders a duration like kubectl ages (`45s`, `5m3s`, `3h`, `2d5h`, `400d`). */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24);
    const d = days % 365;
    return d === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${d}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}
