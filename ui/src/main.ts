import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { startEarly } from "./lib/startup";
import { nav, viewOfHash } from "./lib/session.svelte";

startEarly();
// See app.css: the font is chosen before the first layout.
if (navigator.userAgent.includes("Linux")) document.documentElement.classList.add("linux");

// A case named in the address opens its screen (how scripts/bench-app opens one without
// WebDriver, through CASEWAY_REPORT_OPEN_CASE).
window.addEventListener("hashchange", () => {
  const view = viewOfHash(location.hash);
  if (view) nav.go(view);
});

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
export default mount(App, { target });
