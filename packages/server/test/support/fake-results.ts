/**
 * A small in-memory implementation of part of the Results service, for the
 * transport tests only (the real service lives in `src/routes.ts`).
 *
 * @module
 */
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { Results, ResultSchema, type Result } from "@tekton-results/proto";

const NAME = /^([a-z0-9_-]{1,63})\/results\/([a-z0-9_-]{1,63})$/;

function authorize(ctx: HandlerContext): void {
  const auth = ctx.requestHeader.get("authorization");
  if (auth === "Bearer bad") throw new ConnectError("invalid token", Code.Unauthenticated);
  if (ctx.requestHeader.get("impersonate-user") === "mallory") {
    throw new ConnectError("may not impersonate", Code.PermissionDenied);
  }
}

/** Routes of a fake Results service that keeps Results in memory. */
export function createFakeResultsRoutes(): (router: ConnectRouter) => void {
  const results = new Map<string, Result>();
  let seq = 0;
  return (router) => {
    router.service(Results, {
      createResult(req, ctx) {
        authorize(ctx);
        const name = req.result?.name ?? "";
        const m = NAME.exec(name);
        if (!m)
          throw new ConnectError(`invalid name ${JSON.stringify(name)}`, Code.InvalidArgument);
        if (m[1] !== req.parent) {
          throw new ConnectError(
            "requested parent does not match resource name",
            Code.InvalidArgument,
          );
        }
        if (results.has(name)) throw new ConnectError("already exists", Code.AlreadyExists);
        const uid = `uid-${++seq}`;
        const init: MessageInitShape<typeof ResultSchema> = {
          name,
          uid,
          id: uid,
          annotations: req.result?.annotations ?? {},
          createTime: timestampNow(),
          etag: `${uid}-1`,
        };
        const r = create(ResultSchema, init);
        results.set(name, r);
        return r;
      },
      getResult(req, ctx) {
        authorize(ctx);
        const r = results.get(req.name);
        if (!r) throw new ConnectError("result not found", Code.NotFound);
        return r;
      },
      updateResult(req, ctx) {
        authorize(ctx);
        const r = results.get(req.name);
        if (!r) throw new ConnectError("result not found", Code.NotFound);
        if (req.etag !== "" && req.etag !== r.etag)
          throw new ConnectError("etag mismatch", Code.FailedPrecondition);
        const updated = create(ResultSchema, {
          ...r,
          annotations: req.result?.annotations ?? {},
          etag: `${r.uid}-${++seq}`,
        });
        results.set(req.name, updated);
        return updated;
      },
      deleteResult(req, ctx) {
        authorize(ctx);
        if (!results.delete(req.name)) throw new ConnectError("result not found", Code.NotFound);
        return {};
      },
      listResults(req, ctx) {
        authorize(ctx);
        if (req.pageSize < 0)
          throw new ConnectError("page_size must not be negative", Code.InvalidArgument);
        const items = [...results.values()].filter(
          (r) => req.parent === "-" || r.name.startsWith(`${req.parent}/`),
        );
        const size = req.pageSize || 50;
        return { results: items.slice(0, size), nextPageToken: items.length > size ? "next" : "" };
      },
    });
  };
}
