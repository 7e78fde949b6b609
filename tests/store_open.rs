//! Opening the store: pragmas, migrations, refusing files that are not ours or too new.

use caseway::store::{schema, Store, StoreError};

fn schema_of(conn: &rusqlite::Connection) -> Vec<(String, String, String)> {
    let mut stmt = conn
        .prepare(
            "SELECT type, name, COALESCE(sql, '') FROM sqlite_master
             WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_new_database_gets_durable_settings_and_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/dir/caseway.sqlite3");
    let store = Store::open(&path).unwrap();
    let s = store.settings().unwrap();
    assert_eq!(s.journal_mode, "wal");
    assert_eq!(s.synchronous, 2, "synchronous=FULL");
    assert!(s.foreign_keys);
    assert!(s.busy_timeout_ms >= 1000);
    assert_eq!(store.schema_version().unwrap(), schema::LATEST);
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let app_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    assert_eq!(app_id, schema::APPLICATION_ID);
}

#[test]
fn the_frozen_v1_schema_upgrades_to_the_same_schema_as_a_fresh_database() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("v1.sqlite3");
    {
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.execute_batch(include_str!("fixtures/db/v1.sql"))
            .unwrap();
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('marker', 'kept')",
            [],
        )
        .unwrap();
    }
    let store = Store::open(&old).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::LATEST);
    drop(store);
    let fresh = dir.path().join("fresh.sqlite3");
    drop(Store::open(&fresh).unwrap());
    let a = rusqlite::Connection::open(&old).unwrap();
    let b = rusqlite::Connection::open(&fresh).unwrap();
    assert_eq!(schema_of(&a), schema_of(&b));
    let marker: String = a
        .query_row("SELECT value FROM meta WHERE key = 'marker'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(marker, "kept", "data survives the upgrade");
}

#[test]
fn a_database_from_a_newer_program_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("caseway.sqlite3");
    drop(Store::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", schema::LATEST + 5)
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::TooNew { .. }), "{msg}");
    assert!(msg.contains("caseway.sqlite3"), "{msg}");
    assert!(msg.contains(&(schema::LATEST + 5).to_string()), "{msg}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, schema::LATEST + 5);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite3");
    let content = b"Meeting notes, not a database. ".repeat(200);
    std::fs::write(&path, &content).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotCaseway { .. }), "{err}");
    assert!(err.to_string().contains("left untouched"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), content);
    assert!(!dir.path().join("notes.sqlite3-wal").exists());
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL);")
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotCaseway { .. }), "{err}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, 0, "nothing was migrated into it");
}

#[test]
fn a_write_commits_only_when_it_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("caseway.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let failed: Result<(), StoreError> = store.write(|tx| {
        tx.execute("INSERT INTO meta (key, value) VALUES ('a', '1')", [])?;
        Err(StoreError::Corrupt("simulated failure".into()))
    });
    assert!(failed.is_err());
    store
        .write(|tx| {
            tx.execute("INSERT INTO meta (key, value) VALUES ('b', '2')", [])?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let keys: Vec<String> = store
        .read(|tx| {
            let mut stmt = tx.prepare("SELECT key FROM meta ORDER BY key")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok::<_, StoreError>(rows.collect::<Result<Vec<String>, _>>()?)
        })
        .unwrap();
    assert_eq!(keys, vec!["b"]);
}

#[test]
fn integrity_check_passes_on_a_sound_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("c.sqlite3")).unwrap();
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn no_column_can_hold_a_name_birth_date_or_personal_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(tables.contains(&"cases".to_string()));
    let mut columns = Vec::new();
    for t in &tables {
        let mut stmt = conn.prepare(&format!("PRAGMA table_info({t})")).unwrap();
        let names: Vec<String> = stmt
            .query_map([], |r| r.get(1))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        columns.extend(names.into_iter().map(|c| format!("{t}.{c}")));
    }
    assert!(columns.contains(&"cases.label".to_string()), "{columns:?}");
    for c in &columns {
        let col = c.split('.').nth(1).unwrap();
        let forbidden = ["name", "first_name", "last_name", "surname", "child_name"].contains(&col)
            || [
                "birth",
                "dob",
                "personnummer",
                "ssn",
                "personal_id",
                "national_id",
                "id_number",
            ]
            .iter()
            .any(|w| col.contains(w));
        assert!(!forbidden, "column {c} could hold personal data");
    }
}
