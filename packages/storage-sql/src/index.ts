/**
 * The SQL both storage adapters share: composable SQL fragments, keyset page
 * terms, the summary statements, the store core (every `ResultsStore`
 * method, migrations and error translation skeletons) and the CEL filter
 * compiler's SQL half, driven by a small dialect object per database.
 *
 * @module
 */
export * from "./core/index.js";
export * from "./store/index.js";
export * from "./filter/index.js";
export { STATEMENT_TOO_COMPLEX } from "./store/errors.js";
