/**
 * Go-style durations: the parser and formatter of `@tekton-results/runtime/duration`, shared with
 * the CLI, re-exported for the watcher's modules.
 *
 * @module
 */
export { formatDuration, parseDuration } from "@tekton-results/runtime/duration";
