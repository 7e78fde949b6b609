//! The app's state: the engine over the database, opened on first use so that a database
//! that cannot be opened is reported in the window (and retried on the next call) instead of
//! stopping the app.

use std::path::PathBuf;
use std::sync::Mutex;

use caseway::case::{CaseError, Engine};
use chrono::Utc;

use crate::error::{ApiError, ErrorCode};

pub struct AppState {
    pub database: PathBuf,
    engine: Mutex<Option<Engine>>,
}

impl AppState {
    pub fn new(database: PathBuf) -> Self {
        Self {
            database,
            engine: Mutex::new(None),
        }
    }

    /// Resolves the database the same way the CLI does: `CASEWAY_DB`, else the platform's
    /// data directory.
    pub fn from_environment() -> Self {
        let database =
            caseway::paths::database_path(None).unwrap_or_else(|| PathBuf::from("caseway.sqlite3"));
        Self::new(database)
    }

    /// Runs `f` on the engine, opening the database first if needed (one writer at a time).
    pub fn with_engine<T>(
        &self,
        f: impl FnOnce(&mut Engine) -> Result<T, CaseError>,
    ) -> Result<T, ApiError> {
        let mut guard = self.engine.lock().map_err(|_| {
            ApiError::new(
                ErrorCode::Internal,
                "the engine lock was poisoned by an earlier failure; restart Caseway",
            )
        })?;
        if guard.is_none() {
            *guard = Some(Engine::open(&self.database, Utc::now())?);
        }
        match guard.as_mut() {
            Some(engine) => Ok(f(engine)?),
            None => Err(ApiError::new(ErrorCode::Internal, "the engine is not open")),
        }
    }
}
