/**
 * The application's shell: the Carbon theme of the system's colour scheme, the header, and the
 * routes, each page loaded on first use (`React.lazy`) so that the first load stays small.
 *
 * @module
 */
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { Route, Routes, Link as RouterLink, useLocation } from "react-router";
import {
  Content,
  Header,
  HeaderGlobalBar,
  HeaderMenuItem,
  HeaderName,
  HeaderNavigation,
  InlineLoading,
  SkipToContent,
  Theme,
} from "@carbon/react";
import { ApiContext, createApiClient, type Api } from "./api.js";
import { TOKEN_KEY, type UiConfig } from "./config.js";
import { usePreferredTheme } from "./theme.js";

const RunsPage = lazy(() => import("./runs-page.js"));
const RunPage = lazy(() => import("./run-page.js"));
const LogsPage = lazy(() => import("./logs-page.js"));
const InsightsPage = lazy(() => import("./insights-page.js"));

/** The page of an unknown path. */
function NotFound() {
  return (
    <div className="tr-page">
      <h1 className="tr-title">Page not found</h1>
      <p>
        Nothing lives at this address. <RouterLink to="/">See the runs</RouterLink>.
      </p>
    </div>
  );
}

/** The application, given its configuration. */
export function App({ config: initial }: { config: UiConfig }) {
  const theme = usePreferredTheme();
  const { pathname } = useLocation();
  const [config, setConfig] = useState(initial);
  const api: Api = useMemo(
    () => ({
      config,
      client: createApiClient(config),
      setToken(token) {
        if (token === undefined) window.sessionStorage.removeItem(TOKEN_KEY);
        else window.sessionStorage.setItem(TOKEN_KEY, token);
        setConfig((c) => ({ ...c, token }));
      },
    }),
    [config],
  );
  useEffect(() => {
    // The page's own background follows the theme too (the area outside the app's root).
    document.documentElement.dataset["theme"] = theme;
    document.documentElement.className = `cds--${theme}`;
  }, [theme]);
  return (
    <ApiContext.Provider value={api}>
      <Theme theme={theme} className="tr-app">
        <Header aria-label="Tekton Results">
          <SkipToContent />
          <HeaderName as={RouterLink} to="/" prefix="Tekton">
            Results
          </HeaderName>
          <HeaderNavigation aria-label="Pages">
            <HeaderMenuItem
              as={RouterLink}
              to="/insights"
              aria-current={pathname === "/insights" ? "page" : undefined}
            >
              Insights
            </HeaderMenuItem>
          </HeaderNavigation>
          <HeaderGlobalBar />
        </Header>
        <Content id="main-content" className="tr-content">
          <Suspense fallback={<InlineLoading description="Loading the page…" />}>
            <Routes>
              <Route path="/" element={<RunsPage />} />
              <Route path="/runs" element={<RunsPage />} />
              <Route
                path="/namespaces/:namespace/results/:result/records/:record"
                element={<RunPage />}
              />
              <Route
                path="/namespaces/:namespace/results/:result/records/:record/logs"
                element={<LogsPage />}
              />
              <Route path="/insights" element={<InsightsPage />} />
              <Route path="*" element={<NotFound />} />
            </Routes>
          </Suspense>
        </Content>
      </Theme>
    </ApiContext.Provider>
  );
}
