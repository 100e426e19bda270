/**
 * UpdateLog: a client stream of log chunks written to the log store, then
 * the Log record's `status` updated to say where the log is and how big; a
 * failed upload is recorded on the record (its message, whether a retry may
 * succeed).
 *
 * @module
 */
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { LogStore } from "@tekton-results/log-store";
import { formatRecordName, type Logs } from "@tekton-results/proto";
import type { Logger } from "@tekton-results/runtime";
import { isStorageError } from "@tekton-results/storage";
import { invalidArgument, toConnectError } from "./errors.js";
import {
  keyOf,
  logData,
  parseLogNameField,
  REPLACED_MESSAGE,
  type LogRecords,
} from "./log-records.js";

/**
 * The default largest log one UpdateLog stream may store: 256 MiB. The
 * kubelet keeps at most 10 MiB per container log file by default
 * (`containerLogMaxSize`), so this leaves room for a run of many steps while
 * keeping one client from filling the disk.
 */
export const DEFAULT_MAX_LOG_BYTES = 256 * 1024 * 1024;

/** The message of an UpdateLog stream longer than `maxLogBytes`. */
export function logTooLargeMessage(maxLogBytes: number): string {
  return `the log is larger than this server accepts (${maxLogBytes} bytes)`;
}

/** Codes of a failed upload that a client may retry as is. */
const RETRYABLE_CODES: ReadonlySet<Code> = new Set([
  Code.Canceled,
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Aborted,
  Code.Unavailable,
  Code.ResourceExhausted,
]);

/** What {@link createUpdateLog} needs. */
export interface UpdateLogDeps {
  /** Where log text lives. */
  logs: LogStore;
  /** The Log records. */
  records: LogRecords;
  /** Decides the RPC (verb `update` on the log's parent). */
  authorize: (verb: "update", parent: string, ctx: HandlerContext) => Promise<void>;
  logger: Logger;
  /** The largest log one stream may store; 0: no limit. */
  maxLogBytes: number;
}

/** The UpdateLog method of the v1alpha2 Logs service. */
export function createUpdateLog(deps: UpdateLogDeps): ServiceImpl<typeof Logs>["updateLog"] {
  const { logs, records, authorize, logger, maxLogBytes } = deps;
  return async (requests, ctx) => {
    const iterator = requests[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) {
      throw invalidArgument("UpdateLog needs at least one message naming the log");
    }
    const requested = first.value.name;
    const name = parseLogNameField(requested, "name");
    await authorize("update", name.parent, ctx);
    const target = await records.resolve(name, requested);
    logData(target);
    const key = keyOf(target);

    let tooLarge = false;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      let message = first.value;
      let received = 0;
      for (;;) {
        received += message.data.byteLength;
        if (maxLogBytes > 0 && received > maxLogBytes) {
          tooLarge = true;
          throw new ConnectError(logTooLargeMessage(maxLogBytes), Code.ResourceExhausted);
        }
        if (message.data.byteLength > 0) yield message.data;
        const next = await iterator.next();
        if (next.done) return;
        message = next.value;
        // The first message fixes the name; later ones may repeat it or leave it empty.
        if (message.name !== "" && message.name !== requested) {
          throw invalidArgument(
            "every message of an UpdateLog stream must name the same log as the first",
          );
        }
      }
    }

    let written: number;
    try {
      written = await logs.write(key, chunks());
    } catch (err) {
      const error = toConnectError(err, logger);
      // The same stream would fail again: a too large log is not retryable.
      const retryable = RETRYABLE_CODES.has(error.code) && !tooLarge;
      try {
        await records.updateStatus(target, {
          errorOnStoreMsg: error.rawMessage,
          isRetryableErr: retryable,
        });
      } catch (statusErr) {
        logger.warn(
          { err: statusErr, log: key },
          "could not record a failed log upload on its Log record",
        );
      }
      throw error;
    }
    try {
      await records.updateStatus(target, {
        path: logs.locate(key),
        size: written,
        isStored: true,
        errorOnStoreMsg: undefined,
        isRetryableErr: undefined,
      });
    } catch (err) {
      // The record is gone or no longer this Log record: the bytes just
      // written belong to nobody.
      if (
        isStorageError(err, "not_found") ||
        (err instanceof ConnectError && err.rawMessage === REPLACED_MESSAGE)
      ) {
        await logs.delete(key).catch((deleteErr: unknown) => {
          logger.warn({ err: deleteErr, log: key }, "could not delete an orphaned log");
        });
        throw new ConnectError(REPLACED_MESSAGE, Code.Aborted);
      }
      throw err;
    }
    logger.debug({ log: key, bytes: written }, "log stored");
    return {
      record: formatRecordName(target.parent, target.resultName, target.name),
      bytesReceived: BigInt(written),
    };
  };
}
