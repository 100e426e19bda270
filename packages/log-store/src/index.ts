/**
 * Log stores of Tekton Results: the {@link LogStore} port and its
 * implementations, a local directory ({@link createDirectoryLogStore}),
 * S3-compatible object storage ({@link createS3LogStore}) and memory
 * ({@link createMemoryLogStore}). The conformance suite every store
 * passes, and a fake S3 server, are at `@tekton-results/log-store/testing`.
 *
 * @module
 */
export {
  DEFAULT_CHUNK_SIZE,
  MAX_CHUNK_SIZE,
  type LogStore,
  type LogReader,
  type LogSource,
  type ReadOptions,
} from "./log-store.js";
export {
  createDirectoryLogStore,
  STALE_TEMPORARY_FILE_MS,
  type DirectoryLogStore,
  type DirectoryLogStoreOptions,
} from "./directory-store.js";
export {
  createS3LogStore,
  DEFAULT_S3_PART_SIZE,
  MIN_S3_PART_SIZE,
  type S3LogStore,
  type S3LogStoreOptions,
} from "./s3-store.js";
export type { S3Credentials } from "./s3-signer.js";
export {
  createMemoryLogStore,
  type MemoryLogStore,
  type MemoryLogStoreOptions,
} from "./memory-store.js";
export { LogStoreError, isLogStoreError, type LogStoreErrorCode } from "./errors.js";

// ---- For library authors (new log stores) ----
export {
  LOG_NAME_SEGMENT,
  parseLogKey,
  parseLogPrefix,
  formatLogKey,
  logKeyHasPrefix,
  type LogKey,
  type LogPrefix,
} from "./log-name.js";
export { resolveChunkSize } from "./log-store.js";
export {
  signRequest,
  sigV4Signature,
  canonicalRequest,
  stringToSign,
  credentialScope,
  uriEncode,
  amzDate,
  sha256Hex,
  EMPTY_PAYLOAD_SHA256,
  type SignatureInput,
} from "./s3-signer.js";
