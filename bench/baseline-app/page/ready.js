// Signals readiness the way Caseway's UI does: the body's data-ready attribute, then the
// `ui_ready` command after the next frame.
document.body.dataset.ready = "true";
requestAnimationFrame(() => {
  window.__TAURI_INTERNALS__.invoke("ui_ready").catch(() => undefined);
});
