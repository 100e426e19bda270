/**
 * Test setup of the component tests: unmount what a test rendered after it.
 *
 * @module
 */
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => {
  cleanup();
});
