/**
 * The route table of the REST gateway. It lives in `@tekton-results/proto/rest` so that the
 * client's REST transport builds its requests from the same routes the gateway matches (one
 * piece of code for both ends); re-exported here for the gateway's modules.
 *
 * @module
 */
export {
  buildRestRoutes,
  expandPathTemplate,
  matchPathTemplate,
  parsePathTemplate,
  type PathTemplate,
  type RestRoute,
} from "@tekton-results/proto/rest";
