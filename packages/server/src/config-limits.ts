/**
 * The limits section of the server's configuration: filter length and depth,
 * record and annotation sizes, concurrent HTTP/2 streams, the HTTP/1.1 head
 * timeout and the per-request deadline (flags, variables, config file).
 *
 * @module
 */
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH } from "@tekton-results/storage";
import type { Settings } from "./config-flags.js";
import { parseInteger } from "./config-values.js";
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from "./request-limits.js";
import { DEFAULT_MAX_RECORD_BYTES, MAX_ANNOTATIONS_BYTES } from "./validate.js";

const MAX_INT32 = 2 ** 31 - 1;

/** The default longest filter (`--max-filter-length`): `compileFilter`'s, 16,384 characters. */
export const DEFAULT_MAX_FILTER_LENGTH: number = MAX_FILTER_LENGTH;
/** The default deepest filter (`--max-filter-depth`): `compileFilter`'s, 100 levels of operators. */
export const DEFAULT_MAX_FILTER_DEPTH: number = MAX_FILTER_DEPTH;

/** What one request may ask of the server. */
export interface LimitsConfig {
  /** The longest CEL filter, in characters. */
  maxFilterLength: number;
  /** The deepest CEL filter, in levels of operators (brackets: at most 32 of them). */
  maxFilterDepth: number;
  /** The largest record `data.value`, in bytes; 0: only `maxBodyBytes`. */
  maxRecordBytes: number;
  /** The largest annotation map (keys plus values), in bytes. */
  maxAnnotationsBytes: number;
  /** Most concurrent streams per HTTP/2 connection. */
  maxConcurrentStreams: number;
  /** How long an HTTP/1.1 request's head may take to arrive, in ms. */
  headersTimeoutMs: number;
  /** The per-request deadline, in ms; 0: none. */
  requestTimeoutMs: number;
}

/** Flags of {@link parseLimits}, with their variables, defaults and ranges. */
const LIMITS = {
  maxFilterLength: [
    "max-filter-length",
    "MAX_FILTER_LENGTH",
    DEFAULT_MAX_FILTER_LENGTH,
    1,
    1_048_576,
  ],
  maxFilterDepth: ["max-filter-depth", "MAX_FILTER_DEPTH", DEFAULT_MAX_FILTER_DEPTH, 1, 1_000],
  maxRecordBytes: ["max-record-bytes", "MAX_RECORD_BYTES", DEFAULT_MAX_RECORD_BYTES, 0, MAX_INT32],
  maxAnnotationsBytes: [
    "max-annotations-bytes",
    "MAX_ANNOTATIONS_BYTES",
    MAX_ANNOTATIONS_BYTES,
    1,
    MAX_INT32,
  ],
  maxConcurrentStreams: [
    "max-concurrent-streams",
    "MAX_CONCURRENT_STREAMS",
    DEFAULT_MAX_CONCURRENT_STREAMS,
    1,
    MAX_INT32,
  ],
  headersTimeoutMs: [
    "headers-timeout-ms",
    "HEADERS_TIMEOUT_MS",
    DEFAULT_HEADERS_TIMEOUT_MS,
    1,
    MAX_INT32,
  ],
  requestTimeoutMs: [
    "request-timeout-ms",
    "REQUEST_TIMEOUT_MS",
    DEFAULT_REQUEST_TIMEOUT_MS,
    0,
    MAX_INT32,
  ],
} as const;

/** Read the limits: each flag, else its variable, else its default. */
export function parseLimits(s: Settings): LimitsConfig {
  const out = {} as Record<keyof LimitsConfig, number>;
  for (const [key, [flag, variable, fallback, min, max]] of Object.entries(LIMITS)) {
    out[key as keyof LimitsConfig] = parseInteger(
      flag,
      s.pick(flag, variable) ?? String(fallback),
      min,
      max,
    );
  }
  return out;
}
