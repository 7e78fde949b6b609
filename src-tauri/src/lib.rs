//! The Caseway desktop shell: window, state and commands over the `caseway` engine.

pub mod commands;
pub mod dto;
pub mod error;

use std::path::PathBuf;

use tauri::{Builder, Runtime};

/// State shared by the commands.
pub struct AppState {
    pub database: PathBuf,
}

impl AppState {
    /// Resolves the database the same way the CLI does: `CASEWAY_DB`, else the platform's
    /// data directory.
    pub fn from_environment() -> Self {
        let database =
            caseway::paths::database_path(None).unwrap_or_else(|| PathBuf::from("caseway.sqlite3"));
        Self { database }
    }
}

/// Registers state and commands on any runtime, so tests can start the app on the mock runtime.
pub fn build<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    builder
        .manage(state)
        .invoke_handler(tauri::generate_handler![commands::app_info])
}

pub fn run() {
    build(tauri::Builder::default(), AppState::from_environment())
        .run(tauri::generate_context!())
        .expect("error while running the Caseway window");
}
