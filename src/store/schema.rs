//! The database schema, as an ordered list of migrations keyed by `PRAGMA user_version`.
//!
//! A migration is never edited once released: a change is a new entry at the end. The first
//! entry is frozen in `tests/fixtures/db/v1.sql` and a test upgrades that file and compares it
//! with a fresh database.

/// `PRAGMA application_id` of a Caseway database ("CSWY" in ASCII), so that another
/// program's SQLite file is recognised and left alone.
pub const APPLICATION_ID: i32 = 0x4353_5759;

/// Migrations in order; migration `i` brings the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1];

/// The schema version this program writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

const V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE packs (
    key          TEXT PRIMARY KEY,
    id           TEXT NOT NULL,
    version      TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    source       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'active', 'retired')),
    origin       TEXT NOT NULL CHECK (origin IN ('shipped', 'signed', 'unsigned')),
    signed_by    TEXT,
    installed_at TEXT NOT NULL,
    UNIQUE (id, version)
) STRICT;

CREATE TABLE trusted_keys (
    key_id     TEXT PRIMARY KEY,
    public_key TEXT NOT NULL UNIQUE,
    comment    TEXT NOT NULL DEFAULT '',
    added_at   TEXT NOT NULL
) STRICT;

CREATE TABLE cases (
    reference TEXT PRIMARY KEY,
    pack_key  TEXT NOT NULL REFERENCES packs (key),
    status    TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    label     TEXT,
    facts     TEXT NOT NULL DEFAULT '{}',
    training  INTEGER NOT NULL DEFAULT 0,
    opened_at TEXT NOT NULL,
    closed_at TEXT,
    head_hash TEXT NOT NULL
) STRICT;
CREATE INDEX cases_by_status ON cases (status, opened_at);

CREATE TABLE steps (
    reference     TEXT NOT NULL REFERENCES cases (reference) ON DELETE CASCADE,
    step          TEXT NOT NULL,
    state         TEXT NOT NULL
                  CHECK (state IN ('todo', 'in_progress', 'done', 'not_applicable', 'blocked')),
    reason        TEXT,
    record        TEXT NOT NULL DEFAULT '{}',
    changed_at    TEXT,
    finished_at   TEXT,
    archived_from TEXT,
    PRIMARY KEY (reference, step)
) STRICT, WITHOUT ROWID;

CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    reference  TEXT,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    step       TEXT,
    from_state TEXT,
    to_state   TEXT,
    role       TEXT,
    initials   TEXT,
    reason     TEXT,
    note       TEXT,
    data       TEXT NOT NULL DEFAULT '{}',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE
);
CREATE INDEX events_by_case ON events (reference, seq);
"#;
