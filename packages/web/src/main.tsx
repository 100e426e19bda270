/**
 * The browser entry: read the configuration, then render the application.
 *
 * @module
 */
import "./styles.scss";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./app.js";
import { browserSources, loadConfig } from "./config.js";

const root = createRoot(document.getElementById("root")!);
void loadConfig(browserSources()).then((config) => {
  root.render(
    <StrictMode>
      <BrowserRouter basename={import.meta.env.BASE_URL.replace(/\/$/, "")}>
        <App config={config} />
      </BrowserRouter>
    </StrictMode>,
  );
});
