/**
 * The browser entry: read the configuration, then render the application.
 *
 * @module
 */
import "./styles.scss";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { createApiClient } from "./api.js";
import { App } from "./app.js";
import { prefetchFirstPage } from "./first-page.js";
import { browserSources, loadConfig } from "./config.js";

const root = createRoot(document.getElementById("root")!);
void loadConfig(browserSources()).then((config) => {
  // The Runs page's first request goes out now, while the page's code loads.
  const base = import.meta.env.BASE_URL.replace(/\/$/, "");
  prefetchFirstPage(
    createApiClient(config),
    window.location.pathname.slice(base.length) || "/",
    window.location.search,
  );
  root.render(
    <StrictMode>
      <BrowserRouter basename={import.meta.env.BASE_URL.replace(/\/$/, "")}>
        <App config={config} />
      </BrowserRouter>
    </StrictMode>,
  );
});
