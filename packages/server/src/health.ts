/**
 * The standard gRPC health protocol (`grpc.health.v1.Health`: Check, List,
 * Watch) backed by a small status registry, and the readiness probe used by
 * `GET /readyz`.
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import {
  Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
  type HealthCheckResponse,
} from "@tekton-results/proto/grpc-health";

export { HealthCheckResponse_ServingStatus as ServingStatus } from "@tekton-results/proto/grpc-health";

/**
 * The serving status of the server (service name `""`) and of each named
 * service. Watchers are told about every change.
 */
export interface HealthStatus {
  /** The status of `service`, or `undefined` when it is not registered. */
  get(service: string): ServingStatus | undefined;
  /** Set (or register) the status of `service`; notifies its watchers on change. */
  set(service: string, status: ServingStatus): void;
  /** Set every registered service (and `""`) to `status`. */
  setAll(status: ServingStatus): void;
  /** Every registered service with its status. */
  list(): Map<string, ServingStatus>;
  /**
   * Calls `listener` with the current status of `service` (`SERVICE_UNKNOWN`
   * when unregistered) and then on every change. Returns the unsubscribe function.
   */
  watch(service: string, listener: (status: ServingStatus) => void): () => void;
  /**
   * End every open `Watch` stream (after a final status was sent), so that a
   * graceful shutdown is not held open by health watchers. Later watches end at once.
   */
  shutdown(): void;
  /** True after {@link HealthStatus.shutdown}. */
  readonly isShutdown: boolean;
  /** Call `listener` on {@link HealthStatus.shutdown}. Returns the unsubscribe function. */
  onShutdown(listener: () => void): () => void;
}

/**
 * Create a status registry. `services` are registered with `initial`
 * (default `SERVING`), and so is the overall server status `""`.
 */
export function createHealthStatus(
  services: readonly string[] = [],
  initial: ServingStatus = ServingStatus.SERVING,
): HealthStatus {
  const statuses = new Map<string, ServingStatus>([["", initial]]);
  for (const s of services) statuses.set(s, initial);
  const watchers = new Map<string, Set<(status: ServingStatus) => void>>();
  const shutdownListeners = new Set<() => void>();
  let isShutdown = false;

  function notify(service: string, status: ServingStatus): void {
    for (const l of watchers.get(service) ?? []) l(status);
  }

  const health: HealthStatus = {
    get: (service) => statuses.get(service),
    set(service, status) {
      const before = statuses.get(service);
      statuses.set(service, status);
      if (before !== status) notify(service, status);
    },
    setAll(status) {
      for (const service of [...statuses.keys()]) health.set(service, status);
    },
    list: () => new Map(statuses),
    watch(service, listener) {
      let set = watchers.get(service);
      if (!set) watchers.set(service, (set = new Set()));
      set.add(listener);
      listener(statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN);
      return () => {
        set.delete(listener);
        if (set.size === 0) watchers.delete(service);
      };
    },
    shutdown() {
      isShutdown = true;
      for (const l of [...shutdownListeners]) l();
    },
    get isShutdown() {
      return isShutdown;
    },
    onShutdown(l) {
      shutdownListeners.add(l);
      return () => {
        shutdownListeners.delete(l);
      };
    },
  };
  return health;
}

function response(status: ServingStatus): HealthCheckResponse {
  return create(HealthCheckResponseSchema, { status });
}

/**
 * Routes that serve `grpc.health.v1.Health` from `health`.
 *
 * - Check: the status of the named service; `NOT_FOUND` for an unknown one.
 * - List: every registered service.
 * - Watch: the current status, then every change, until the client cancels or
 *   the registry is shut down; `SERVICE_UNKNOWN` for an unknown service (as
 *   the protocol asks), followed by its status if it gets registered.
 */
export function createHealthRoutes(health: HealthStatus): (router: ConnectRouter) => void {
  return (router) => {
    router.service(Health, {
      check(req) {
        const status = health.get(req.service);
        if (status === undefined) {
          throw new ConnectError(`unknown service ${JSON.stringify(req.service)}`, Code.NotFound);
        }
        return response(status);
      },
      list() {
        const statuses: Record<string, HealthCheckResponse> = {};
        for (const [service, status] of health.list()) statuses[service] = response(status);
        return { statuses };
      },
      async *watch(req, ctx) {
        const queue: ServingStatus[] = [];
        let wake: (() => void) | undefined;
        let done = health.isShutdown;
        const poke = (): void => {
          const w = wake;
          wake = undefined;
          w?.();
        };
        let last: ServingStatus | undefined;
        const unwatch = health.watch(req.service, (status) => {
          queue.push(status);
          poke();
        });
        const stopOnShutdown = health.onShutdown(() => {
          done = true;
          poke();
        });
        const onAbort = (): void => {
          done = true;
          poke();
        };
        ctx.signal.addEventListener("abort", onAbort);
        try {
          for (;;) {
            while (queue.length > 0) {
              const status = queue.shift()!;
              if (status === last) continue;
              last = status;
              yield response(status);
            }
            if (done || ctx.signal.aborted) return;
            await new Promise<void>((resolve) => (wake = resolve));
          }
        } finally {
          unwatch();
          stopOnShutdown();
          ctx.signal.removeEventListener("abort", onAbort);
        }
      },
    });
  };
}

/** Outcome of a readiness probe. */
export interface ReadinessResult {
  ready: boolean;
  /** Why not ready; safe to show to a client (no internal details). */
  reason?: string;
}

/**
 * A check's rejection whose message is safe to show a client as the reason
 * (e.g. `schema migrations pending`); any other rejection is shown as
 * `store unavailable`.
 */
export class NotReadyError extends Error {
  override readonly name = "NotReadyError";
}

/**
 * A readiness probe: ready when `check` resolves within `timeoutMs`
 * (default 2000), not ready when it rejects or times out. The rejection is
 * passed to `onError` for logging and never returned to the caller, except
 * the message of a {@link NotReadyError}.
 */
export function createReadinessProbe(
  check: () => Promise<unknown>,
  options: { timeoutMs?: number; onError?: (err: unknown) => void } = {},
): () => Promise<ReadinessResult> {
  const timeoutMs = options.timeoutMs ?? 2000;
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ReadinessResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ ready: false, reason: "store did not answer in time" }),
        timeoutMs,
      );
      timer.unref();
    });
    try {
      return await Promise.race([
        check().then(
          (): ReadinessResult => ({ ready: true }),
          (err: unknown): ReadinessResult => {
            options.onError?.(err);
            return {
              ready: false,
              reason: err instanceof NotReadyError ? err.message : "store unavailable",
            };
          },
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
}
