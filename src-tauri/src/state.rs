//! The app's state: the engine over the database, opened on first use so that a database
//! that cannot be opened is reported in the window (and retried on the next call) instead of
//! stopping the app. In training mode the engine is over the separate training database,
//! never the real one.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use caseway::case::{CaseError, Engine};
use caseway::training::{self, TrainingError, Walkthrough};
use chrono::Utc;

use crate::error::{ApiError, ErrorCode};

pub struct AppState {
    /// The real database.
    pub database: PathBuf,
    inner: Mutex<Inner>,
}

#[derive(Default)]
pub struct Inner {
    engine: Option<Engine>,
    training: bool,
    /// The scenario being walked through in training mode.
    walkthrough: Option<Walkthrough>,
    /// The pack file the coordinator chose in the file dialog: the only file the import
    /// commands read.
    pub chosen_pack: Option<PathBuf>,
}

impl Inner {
    pub fn training(&self) -> bool {
        self.training
    }

    /// The engine of the current mode, opening its database first if needed.
    pub fn engine(&mut self, real: &Path) -> Result<&mut Engine, ApiError> {
        if self.engine.is_none() {
            let now = Utc::now();
            log::info!(
                "opening the {} database",
                if self.training { "training" } else { "real" }
            );
            self.engine = Some(if self.training {
                training::open_training(real, now)?
            } else {
                // Never real work in the training database; a file that cannot be probed is
                // left to `Engine::open`, which says what is wrong with it.
                if let Ok(training::DatabaseKind::Training) = training::database_kind(real) {
                    return Err(TrainingError::IsTraining(real.to_path_buf()).into());
                }
                Engine::open(real, now)?
            });
        }
        self.engine
            .as_mut()
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the engine is not open"))
    }

    /// Switches between the real and the training database (closing the current one).
    pub fn set_training(&mut self, on: bool) {
        if self.training != on {
            self.engine = None;
            self.walkthrough = None;
            self.training = on;
        }
    }

    /// Closes the engine so its database file can be removed or replaced.
    pub fn close(&mut self) {
        self.engine = None;
        self.walkthrough = None;
    }
}

impl AppState {
    pub fn new(database: PathBuf) -> Self {
        Self {
            database,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Resolves the database the same way the CLI does: `CASEWAY_DB`, else the platform's
    /// data directory.
    pub fn from_environment() -> Self {
        let database =
            caseway::paths::database_path(None).unwrap_or_else(|| PathBuf::from("caseway.sqlite3"));
        Self::new(database)
    }

    /// The state, one command at a time (one writer).
    pub fn lock(&self) -> Result<MutexGuard<'_, Inner>, ApiError> {
        self.inner.lock().map_err(|_| {
            ApiError::new(
                ErrorCode::Internal,
                "the engine lock was poisoned by an earlier failure; restart Caseway",
            )
        })
    }

    /// Runs `f` on the engine of the current mode; `op` names the command in the log.
    pub fn with_engine<T>(
        &self,
        op: &str,
        f: impl FnOnce(&mut Engine) -> Result<T, CaseError>,
    ) -> Result<T, ApiError> {
        let started = Instant::now();
        let result = (|| {
            let mut inner = self.lock()?;
            Ok(f(inner.engine(&self.database)?)?)
        })();
        logged(op, started, result)
    }

    /// Runs `f` on the training engine and the running walkthrough; refused outside
    /// training mode.
    pub fn with_training<T>(
        &self,
        op: &str,
        f: impl FnOnce(&mut Engine, &mut Option<Walkthrough>) -> Result<T, TrainingError>,
    ) -> Result<T, ApiError> {
        let started = Instant::now();
        logged(op, started, self.training_call(f))
    }

    fn training_call<T>(
        &self,
        f: impl FnOnce(&mut Engine, &mut Option<Walkthrough>) -> Result<T, TrainingError>,
    ) -> Result<T, ApiError> {
        let mut inner = self.lock()?;
        if !inner.training() {
            return Err(ApiError::new(
                ErrorCode::Refused,
                "this works in training mode only; enter training mode from the start screen",
            ));
        }
        inner.engine(&self.database)?;
        let Inner {
            engine,
            walkthrough,
            ..
        } = &mut *inner;
        let engine = engine
            .as_mut()
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the training engine is not open"))?;
        Ok(f(engine, walkthrough)?)
    }

    /// Whether the app is in training mode, and the database file of that mode.
    pub fn current_mode(&self) -> Result<(bool, PathBuf), ApiError> {
        let training = self.lock()?.training();
        let path = if training {
            training::training_db_path(&self.database)?
        } else {
            self.database.clone()
        };
        Ok((training, path))
    }
}

/// Logs what a command did: its name, the outcome's code and how long it took. Never its
/// arguments or messages, which may hold case references or free text.
pub fn logged<T>(op: &str, started: Instant, result: Result<T, ApiError>) -> Result<T, ApiError> {
    let ms = started.elapsed().as_millis();
    match &result {
        Ok(_) => log::info!("{op}: ok in {ms} ms"),
        Err(e) => log::warn!("{op}: {} after {ms} ms", e.code.as_str()),
    }
    result
}
