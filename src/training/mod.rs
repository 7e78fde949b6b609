//! Training mode: a separate database for demonstrations, fictional cases generated from a
//! pack, and guided walkthroughs of scenario files (`protocols/scenarios/`).
//!
//! The training database is a file next to the real one ([`training_db_path`]), marked as a
//! training database in its `meta` table. [`open_training`] never opens, reads or writes the
//! real database: it only derives the path from it. A file at the training path that is not
//! marked as training (for example a real database copied there) is refused and left untouched,
//! and [`reset_training`] deletes only a file that carries the marker. Every function that
//! writes fictional cases ([`generate_cases`], [`Walkthrough::start`]) first checks that the
//! engine it is given is over a training database.

mod generate;
mod scenario;
mod walkthrough;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde_json::json;

use crate::case::{CaseError, Engine, ImportOutcome};
use crate::store::audit::{self, NewEvent};
use crate::store::schema::APPLICATION_ID;
use crate::store::StoreError;

pub use generate::{
    generate_cases, FactsChoice, GenerateRequest, GeneratedCase, OpenedAgo, MAX_GENERATED,
};
pub use scenario::{
    load_scenario, parse_scenario, shipped_scenarios, Beat, Scenario, ScenarioError,
    MAX_SCENARIO_SIZE, SHIPPED_SCENARIOS,
};
pub use walkthrough::{BeatView, Walkthrough};

/// File name of the training database, in the folder of the real one.
pub const TRAINING_DB_FILE: &str = "caseway-training.sqlite3";

/// Key and value in the `meta` table that mark a training database.
pub const MARKER_KEY: &str = "database_kind";
pub const MARKER_VALUE: &str = "training";

/// Errors of training mode.
#[derive(Debug, thiserror::Error)]
pub enum TrainingError {
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("the training database would be the real database itself ({0}); use a real database whose file is not named {TRAINING_DB_FILE}")]
    SamePath(PathBuf),
    #[error("{0} is not a training database (it has no training marker); it was left untouched: move it away if it is a stray file, or pass another --db")]
    NotTraining(PathBuf),
    #[error("{0} is a training database: it holds fictional cases only; open the real database instead, or pass another --db")]
    IsTraining(PathBuf),
    #[error("cannot read {path} to check whether it is a training database: {detail}; it was left untouched")]
    Probe { path: PathBuf, detail: String },
    #[error("cannot delete {path}: {source}; close the app or the command using it and retry")]
    Remove {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("scenario {scenario} stopped at beat {beat}: {source}")]
    Beat {
        scenario: String,
        beat: usize,
        #[source]
        source: CaseError,
    },
}

impl TrainingError {
    /// True for a refused or invalid request (exit code 1); false for a storage or I/O
    /// failure (exit code 2).
    pub fn is_refusal(&self) -> bool {
        match self {
            TrainingError::Case(e) => e.is_refusal(),
            TrainingError::Beat { source, .. } => source.is_refusal(),
            TrainingError::Store(_)
            | TrainingError::Probe { .. }
            | TrainingError::Remove { .. } => false,
            TrainingError::Scenario(ScenarioError::Read { .. }) => false,
            _ => true,
        }
    }
}

/// What a database file at a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseKind {
    /// No file, or an empty one.
    Missing,
    /// A Caseway database without the training marker.
    Real,
    /// A Caseway database marked as a training database.
    Training,
}

/// The training database that goes with the real database `real`: the file
/// [`TRAINING_DB_FILE`] in the same folder. Refused when that is `real` itself.
pub fn training_db_path(real: &Path) -> Result<PathBuf, TrainingError> {
    let dir = real
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let training = dir.join(TRAINING_DB_FILE);
    let same = real.file_name() == Some(std::ffi::OsStr::new(TRAINING_DB_FILE));
    if same || same_file(real, &training) {
        return Err(TrainingError::SamePath(real.to_path_buf()));
    }
    Ok(training)
}

/// True when both paths exist and are the same file (hard links, symbolic links, `..`).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// What the file at `path` is, read without changing it (a read-only connection).
pub fn database_kind(path: &Path) -> Result<DatabaseKind, TrainingError> {
    let probe = |detail: String| TrainingError::Probe {
        path: path.to_path_buf(),
        detail,
    };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DatabaseKind::Missing),
        Err(e) => return Err(probe(e.to_string())),
        Ok(m) if m.len() == 0 => return Ok(DatabaseKind::Missing),
        Ok(_) => {}
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| probe(e.to_string()))?;
    let app_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| probe(e.to_string()))?;
    if app_id != APPLICATION_ID {
        return Err(probe("it is not a Caseway database".into()));
    }
    let marker: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [MARKER_KEY], |r| {
            r.get(0)
        })
        .optional()
        .map_err(|e| probe(e.to_string()))?;
    Ok(if marker.as_deref() == Some(MARKER_VALUE) {
        DatabaseKind::Training
    } else {
        DatabaseKind::Real
    })
}

/// Refuses a training database where the real one is expected: the desktop app and the
/// command line call this before opening the real database.
pub fn ensure_real_database(path: &Path) -> Result<(), TrainingError> {
    match database_kind(path)? {
        DatabaseKind::Training => Err(TrainingError::IsTraining(path.to_path_buf())),
        _ => Ok(()),
    }
}

/// True when the engine's database carries the training marker.
pub fn is_training(engine: &Engine) -> Result<bool, TrainingError> {
    let marker: Option<String> = engine.store().read(|tx| {
        tx.query_row("SELECT value FROM meta WHERE key = ?1", [MARKER_KEY], |r| {
            r.get(0)
        })
        .optional()
        .map_err(StoreError::from)
    })?;
    Ok(marker.as_deref() == Some(MARKER_VALUE))
}

/// Refuses an engine over a database that is not a training database.
pub fn ensure_training(engine: &Engine) -> Result<(), TrainingError> {
    if is_training(engine)? {
        Ok(())
    } else {
        Err(TrainingError::NotTraining(
            engine.store().path().to_path_buf(),
        ))
    }
}

/// Opens (creating it if needed) the training database that goes with the real database
/// `real_db`, and marks a new one as a training database. The real database is not opened.
/// A file at the training path that is a Caseway database without the training marker is
/// refused and left untouched.
pub fn open_training(real_db: &Path, now: DateTime<Utc>) -> Result<Engine, TrainingError> {
    let path = training_db_path(real_db)?;
    let kind = database_kind(&path)?;
    if kind == DatabaseKind::Real {
        return Err(TrainingError::NotTraining(path));
    }
    let mut engine = Engine::open(&path, now)?;
    if kind == DatabaseKind::Missing {
        engine.store_mut().write(|tx| {
            let n = tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                [MARKER_KEY, MARKER_VALUE],
            )?;
            if n == 1 {
                audit::append(
                    tx,
                    &NewEvent {
                        at: now,
                        kind: "training_database",
                        data: json!({"marker": MARKER_VALUE}),
                        ..Default::default()
                    },
                )?;
            }
            Ok::<_, StoreError>(())
        })?;
        // Another process may have created the file as something else meanwhile.
        ensure_training(&engine)?;
    }
    Ok(engine)
}

/// Deletes the training database that goes with `real_db` (and its `-wal` and `-shm` files)
/// after checking it carries the training marker. Returns the files deleted (none when there
/// was no training database). Drop every [`Engine`] open on it first.
pub fn reset_training(real_db: &Path) -> Result<Vec<PathBuf>, TrainingError> {
    let path = training_db_path(real_db)?;
    match database_kind(&path)? {
        DatabaseKind::Real => return Err(TrainingError::NotTraining(path)),
        DatabaseKind::Missing if !path.exists() => return Ok(Vec::new()),
        DatabaseKind::Missing | DatabaseKind::Training => {}
    }
    let mut removed = Vec::new();
    let mut names = vec![path.clone()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut s = path.clone().into_os_string();
        s.push(suffix);
        names.push(PathBuf::from(s));
    }
    for file in names {
        match std::fs::remove_file(&file) {
            Ok(()) => removed.push(file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(TrainingError::Remove { path: file, source }),
        }
    }
    Ok(removed)
}

/// Imports a pack file into the training database. Unlike the real database, a pack without a
/// signature by a trusted key is accepted (cases opened on it are marked as training cases);
/// the audit trail of the training database records it.
pub fn import_training_pack(
    engine: &mut Engine,
    file_name: &str,
    source: &str,
    signature: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ImportOutcome, TrainingError> {
    ensure_training(engine)?;
    Ok(engine.import_pack(file_name, source, signature, true, now)?)
}
