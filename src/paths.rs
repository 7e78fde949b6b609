//! Where Caseway keeps its data on this machine.
//!
//! The CLI and the desktop app resolve the same location so that both see the same cases.

use std::path::PathBuf;

/// Environment variable that overrides the database path (same as `--db`).
pub const DB_ENV: &str = "CASEWAY_DB";

/// The platform's data directory for the app, e.g. `~/.local/share/caseway` on Linux.
pub fn data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("org", "Caseway", "caseway").map(|d| d.data_dir().to_path_buf())
}

/// The database file to use: `explicit` (from `--db`), else `CASEWAY_DB`, else the default
/// `caseway.sqlite3` in [`data_dir`].
pub fn database_path(explicit: Option<PathBuf>) -> Option<PathBuf> {
    explicit
        .or_else(|| {
            std::env::var_os(DB_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .or_else(|| data_dir().map(|d| d.join("caseway.sqlite3")))
}
