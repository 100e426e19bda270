/**
 * Shared filter test runners the SQL adapters call (placeholder until filled).
 *
 * @module
 */
export {};
