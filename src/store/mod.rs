//! The local SQLite store: one database file per machine, never lost.
//!
//! [`Store::open`] does everything a connection needs before use: it recognises a file that
//! is not a Caseway database (and leaves it untouched), refuses a database written by a newer
//! program, sets the pragmas (WAL, `synchronous=FULL` so that a change reported as saved
//! survives power loss, `foreign_keys=ON`, a busy timeout so that a second process waits its
//! turn) and runs the migrations in one transaction keyed by `user_version`.
//!
//! Reads and writes are separate: [`Store::read`] runs a closure in a read transaction,
//! [`Store::write`] in a `BEGIN IMMEDIATE` transaction (one writer at a time across
//! processes) that commits only when the closure returns `Ok`.

pub mod audit;
pub mod registry;
pub mod schema;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

pub use audit::{ChainBreak, ChainReport, Event, NewEvent, GENESIS_HASH};
pub use registry::{PackOrigin, PackRecord, TrustedKey};

/// How long a process waits for another one holding the write lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the folder {path} for the database: {source}; check permissions or pass --db PATH")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database {path}: {source}; check the path and its permissions, or pass --db PATH")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{path} is not a Caseway database or is damaged ({detail}); it was left untouched: pass another --db PATH or restore a backup with `caseway db restore BACKUP`")]
    NotCaseway { path: PathBuf, detail: String },
    #[error("the database {path} has schema version {found}, newer than this program supports ({supported}); it was left untouched: use a newer version of Caseway")]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("the database is damaged ({0}); run `caseway db check` and restore a backup with `caseway db restore BACKUP`")]
    Corrupt(String),
    #[error("the database is busy: another Caseway process kept it locked for more than {} s; close it and retry", BUSY_TIMEOUT.as_secs())]
    Busy,
    #[error("database error: {0}")]
    Sql(rusqlite::Error),
    #[error("backup to {path} failed: {detail}; check the destination folder and free space")]
    Backup { path: PathBuf, detail: String },
    #[error("cannot restore from {path}: {detail}; the current database was left unchanged")]
    Restore { path: PathBuf, detail: String },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
                StoreError::Corrupt(e.to_string())
            }
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Busy,
            _ => StoreError::Sql(e),
        }
    }
}

/// The pragmas of an open store (see [`Store::settings`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoreSettings {
    pub journal_mode: String,
    /// 2 = FULL.
    pub synchronous: i64,
    pub foreign_keys: bool,
    pub busy_timeout_ms: i64,
}

/// An open Caseway database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, sets the pragmas and migrates it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::prepare(conn, path.to_path_buf())
    }

    /// A private in-memory database with the full schema (for tests and previews).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        Self::prepare(conn, PathBuf::from(":memory:"))
    }

    fn prepare(mut conn: Connection, path: PathBuf) -> Result<Store, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let not_caseway = |detail: String| StoreError::NotCaseway {
            path: path.clone(),
            detail,
        };
        // The first read of the file: a non-database fails here, before anything is written.
        let objects: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| match e.sqlite_error_code() {
                Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
                    not_caseway(e.to_string())
                }
                _ => StoreError::from(e),
            })?;
        let app_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if app_id != 0 && app_id != schema::APPLICATION_ID {
            return Err(not_caseway(format!(
                "its application id is {app_id:#x}, not Caseway's"
            )));
        }
        if app_id == 0 && objects > 0 {
            return Err(not_caseway(format!(
                "it holds {objects} tables or indexes of another program"
            )));
        }
        if version > schema::LATEST {
            return Err(StoreError::TooNew {
                path,
                found: version,
                supported: schema::LATEST,
            });
        }
        if path.as_os_str() != ":memory:" {
            let mode: String =
                conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(not_caseway(format!(
                    "cannot switch it to WAL mode (got {mode})"
                )));
            }
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        if version < schema::LATEST {
            migrate(&mut conn, &path)?;
        }
        Ok(Store { conn, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// The connection settings in force, as SQLite reports them.
    pub fn settings(&self) -> Result<StoreSettings, StoreError> {
        let q = |name: &str| -> Result<String, StoreError> {
            Ok(self
                .conn
                .pragma_query_value(None, name, |r| r.get::<_, rusqlite::types::Value>(0))
                .map(|v| match v {
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    other => format!("{other:?}"),
                })?)
        };
        Ok(StoreSettings {
            journal_mode: q("journal_mode")?,
            synchronous: q("synchronous")?.parse().unwrap_or(-1),
            foreign_keys: q("foreign_keys")? == "1",
            busy_timeout_ms: q("busy_timeout")?.parse().unwrap_or(-1),
        })
    }

    /// Runs `f` in a read transaction (a consistent snapshot). Nothing is written.
    pub fn read<T, E>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(|e| E::from(StoreError::from(e)))?;
        let out = f(&tx);
        // Rolling back a read transaction cannot lose anything; its error is not interesting.
        let _ = tx.rollback();
        out
    }

    /// Runs `f` in a write transaction taken with `BEGIN IMMEDIATE` (the single writer);
    /// commits only when `f` returns `Ok`, and the commit is durable when this returns.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| E::from(StoreError::from(e)))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| E::from(StoreError::from(e)))?;
        Ok(out)
    }

    /// `PRAGMA integrity_check` and `foreign_key_check`: an empty list means the file is sound.
    pub fn integrity_problems(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for row in rows {
            let line = row?;
            if line != "ok" {
                problems.push(line);
            }
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |r| {
            Ok(format!(
                "table {} row {} refers to a missing row of {}",
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?.unwrap_or_default(),
                r.get::<_, String>(2)?
            ))
        })?;
        for row in rows {
            problems.push(row?);
        }
        Ok(problems)
    }

    /// Copies the whole database to `dest` with SQLite's online backup API (safe while other
    /// processes use the database). An existing `dest` is refused.
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        let fail = |detail: String| StoreError::Backup {
            path: dest.to_path_buf(),
            detail,
        };
        if dest.exists() {
            return Err(fail("the file already exists; choose a new name".into()));
        }
        let mut out = Connection::open(dest).map_err(|e| fail(e.to_string()))?;
        {
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut out)
                .map_err(|e| fail(e.to_string()))?;
            backup
                .run_to_completion(256, Duration::from_millis(5), None)
                .map_err(|e| fail(e.to_string()))?;
        }
        // A backup is a single file: keep it in rollback-journal mode.
        out.pragma_update(None, "journal_mode", "DELETE")
            .map_err(|e| fail(e.to_string()))?;
        Ok(())
    }

    /// Replaces the content of this database with the backup at `src`, after checking that
    /// `src` is a sound Caseway database this program can read. On any problem the current
    /// database is left as it was.
    pub fn restore_from(&mut self, src: &Path) -> Result<(), StoreError> {
        let fail = |detail: String| StoreError::Restore {
            path: src.to_path_buf(),
            detail,
        };
        if !src.is_file() {
            return Err(fail("no such file".into()));
        }
        let input = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| fail(e.to_string()))?;
        let check = |input: &Connection| -> Result<(), String> {
            let ok: String = input
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .map_err(|e| e.to_string())?;
            if ok != "ok" {
                return Err(format!("integrity check failed: {ok}"));
            }
            let app_id: i32 = input
                .pragma_query_value(None, "application_id", |r| r.get(0))
                .map_err(|e| e.to_string())?;
            if app_id != schema::APPLICATION_ID {
                return Err("it is not a Caseway database".into());
            }
            let version: i64 = input
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(|e| e.to_string())?;
            if version > schema::LATEST {
                return Err(format!(
                    "its schema version {version} is newer than this program supports ({})",
                    schema::LATEST
                ));
            }
            Ok(())
        };
        check(&input).map_err(fail)?;
        {
            let backup = rusqlite::backup::Backup::new(&input, &mut self.conn)
                .map_err(|e| fail(e.to_string()))?;
            backup
                .run_to_completion(256, Duration::from_millis(5), None)
                .map_err(|e| fail(e.to_string()))?;
        }
        drop(input);
        let path = self.path.clone();
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        let version = self.schema_version()?;
        if version < schema::LATEST {
            migrate(&mut self.conn, &path)?;
        }
        Ok(())
    }
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Re-read under the write lock: another process may have migrated meanwhile.
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > schema::LATEST {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported: schema::LATEST,
        });
    }
    let from = usize::try_from(version).unwrap_or(0);
    for sql in &schema::MIGRATIONS[from..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", schema::LATEST)?;
    tx.pragma_update(None, "application_id", schema::APPLICATION_ID)?;
    tx.commit()?;
    Ok(())
}
