/**
 * Test kit for log stores, `@tekton-results/log-store/testing`: the
 * conformance suite every `LogStore` passes
 * ({@link runLogStoreConformance}, needs `vitest`, an optional peer
 * dependency) and an in-process S3-compatible server ({@link startFakeS3},
 * Node's `http` only) to test against without a real object store.
 *
 * @module
 */
export {
  runLogStoreConformance,
  type LogStoreFactory,
  type LogStoreFixture,
} from "./conformance.js";
export { startFakeS3, type FakeS3 } from "./fake-s3.js";
