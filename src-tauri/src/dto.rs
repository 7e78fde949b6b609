//! Data sent to the window. TypeScript types are generated from these (`cargo test` writes
//! `ui/src/lib/bindings/`), and a test checks the committed copies are fresh.

use serde::Serialize;
use ts_rs::TS;

/// What the first screen shows about the app itself.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct AppInfo {
    /// The engine's version.
    pub engine_version: String,
    /// The database file in use.
    pub database: String,
}
