//! Store benchmarks: the latency of a step change with the chosen durability (WAL +
//! `synchronous=FULL`), against a bare rusqlite insert with the same pragmas; and opening
//! the database and listing 10,000 cases.
//!
//! Run: `cargo bench --bench store` (add `-- --measurement-time 3` for a quick run).

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};

use caseway::case::{Actor, CaseFilter, Engine, NewCase, StepChangeRequest, StepState};
use caseway::store::audit::{time_text, GENESIS_HASH};
use caseway::store::StoreError;

const CASES: usize = 10_000;

fn step_change(c: &mut Criterion) {
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::open(&dir.path().join("bench.sqlite3"), now).unwrap();
    let reference = engine
        .open_case(
            &NewCase {
                pack: "barnahus-online-csa".into(),
                actor: Actor::role("coordinator"),
                ..Default::default()
            },
            now,
        )
        .unwrap()
        .reference;
    let step = engine.case_view(&reference, now).unwrap().steps[0].clone();
    let mut group = c.benchmark_group("step_change");
    let mut flip = false;
    group.bench_function("engine_set_step_state", |b| {
        b.iter(|| {
            flip = !flip;
            let state = if flip {
                StepState::InProgress
            } else {
                StepState::Todo
            };
            engine
                .set_step_state(
                    &reference,
                    &StepChangeRequest {
                        step: step.id.clone(),
                        state,
                        role: step.role.clone(),
                        initials: None,
                        reason: None,
                        note: None,
                        record: BTreeMap::new(),
                    },
                    now,
                )
                .unwrap();
        })
    });

    let bare_path = dir.path().join("bare.sqlite3");
    let mut conn = rusqlite::Connection::open(&bare_path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, step TEXT, state TEXT, at TEXT)")
        .unwrap();
    group.bench_function("bare_rusqlite_insert", |b| {
        b.iter(|| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .unwrap();
            tx.execute(
                "INSERT INTO t (step, state, at) VALUES ('register-report', 'done', ?1)",
                [time_text(now)],
            )
            .unwrap();
            tx.commit().unwrap();
        })
    });
    group.finish();
}

fn open_and_list(c: &mut Criterion) {
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.sqlite3");
    let mut engine = Engine::open(&path, now).unwrap();
    let pack = engine.resolve_pack("barnahus-online-csa").unwrap().key;
    let first_step = engine.pack(&pack).unwrap().steps[0].id.clone();
    engine
        .store_mut()
        .write(|tx| {
            for i in 0..CASES {
                let reference = format!("BH-2026-{i:05}");
                let opened = time_text(now - chrono::Duration::hours(i as i64));
                tx.execute(
                    "INSERT INTO cases (reference, pack_key, status, facts, opened_at, head_hash)
                     VALUES (?1, ?2, 'open', '{\"online_element\":true}', ?3, ?4)",
                    rusqlite::params![reference, pack, opened, GENESIS_HASH],
                )?;
                tx.execute(
                    "INSERT INTO steps (reference, step, state, changed_at, finished_at)
                     VALUES (?1, ?2, 'done', ?3, ?3)",
                    rusqlite::params![reference, first_step, opened],
                )?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    drop(engine);
    let mut group = c.benchmark_group("cases_10k");
    group.sample_size(10);
    group.bench_function("open_and_list", |b| {
        b.iter(|| {
            let engine = Engine::open(&path, now).unwrap();
            let list = engine.case_list(&CaseFilter::default(), now).unwrap();
            assert_eq!(list.len(), CASES);
        })
    });
    let engine = Engine::open(&path, now).unwrap();
    group.bench_function("list_overdue_only", |b| {
        b.iter(|| {
            let filter = CaseFilter {
                overdue_only: true,
                ..Default::default()
            };
            engine.case_list(&filter, now).unwrap()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5));
    targets = step_change, open_and_list
}
criterion_main!(benches);
