/**
 * Small helpers shared by the server tests: what an RPC promise settled to,
 * and the files a directory log store holds.
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConnectError, type Code } from "@connectrpc/connect";

/** `"ok"` when `p` resolves, else the Connect code and raw message it rejects with. */
export async function codeOf(p: Promise<unknown>): Promise<{ code: Code; message: string } | "ok"> {
  try {
    await p;
    return "ok";
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: e.code, message: e.rawMessage };
  }
}

/** Files under `dir` (temporary files included), relative, sorted; none when it does not exist. */
export function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((p) => statSync(join(dir, p)).isFile())
    .sort();
}
