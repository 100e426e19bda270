/**
 * The values `-n/--namespace` completes to: the namespaces of the kubeconfig's cluster, as
 * upstream's completion lists them (it runs `kubectl get namespace`; here through
 * `@kubernetes/client-node`, with the same kubeconfig, context and credentials).
 *
 * @module
 */
import { CoreV1Api, KubeConfig, Observable, type RequestContext } from "@kubernetes/client-node";
import type { GivenFlags } from "./completion.js";
import { VALUES_TIMEOUT_MS } from "./completion.js";
import { kubeconfigPath } from "./kubeconfig.js";

/**
 * The names of the namespaces of the cluster of `-k`/`-c` (else `$KUBECONFIG` and its current
 * context), sorted; the call is abandoned after {@link VALUES_TIMEOUT_MS}.
 */
export async function clusterNamespaces(given: GivenFlags): Promise<string[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath(given.get("kubeconfig")));
  const context = given.get("context");
  if (context) kc.setCurrentContext(context);
  const signal = AbortSignal.timeout(VALUES_TIMEOUT_MS);
  const list = await kc.makeApiClient(CoreV1Api).listNamespace(
    {},
    {
      middleware: [
        {
          pre: (ctx: RequestContext) => {
            ctx.setSignal(signal);
            return new Observable(Promise.resolve(ctx));
          },
          post: (ctx) => new Observable(Promise.resolve(ctx)),
        },
      ],
      middlewareMergeStrategy: "append",
    },
  );
  return list.items
    .map((ns) => ns.metadata?.name)
    .filter((name): name is string => Boolean(name))
    .sort();
}
