//! Case list benchmarks over a database of 10,000 cases opened through the engine (so every
//! case has its step rows and audit chain, as in real use): the list the window shows, its
//! filters, one case's full view, opening the engine on it, a bare SQLite read of the same
//! rows as the floor, and the statistics export over 10,000 cases.
//!
//! Run: `cargo bench --bench cases` (add `-- --measurement-time 3` for a quick run).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};

use caseway::case::{Actor, CaseFilter, CaseStatus, Engine, NewCase, StepChangeRequest, StepState};
use caseway::privacy::stats::{aggregate, Milestones, StatsCase, StatsOptions, StatsStep};

const CASES: usize = 10_000;

/// 10,000 cases on the shipped pack, opened one every 2 hours back from `now` (so recent
/// ones have deadlines ahead and older ones are overdue), the first applicable step done
/// in every case, every tenth case closed.
fn seeded(path: &std::path::Path, now: DateTime<Utc>) -> (Engine, String) {
    let mut engine = Engine::open(path, now).unwrap();
    let pack = engine.resolve_pack("barnahus-online-csa").unwrap();
    let facts = Engine::parse_facts(
        &engine.pack(&pack.key).unwrap(),
        &[("online_element".into(), "true".into())],
    )
    .unwrap();
    let mut last = String::new();
    for i in 0..CASES {
        let opened = now - Duration::hours(2 * (CASES - i) as i64);
        let view = engine
            .open_case(
                &NewCase {
                    pack: pack.key.clone(),
                    facts: facts.clone(),
                    label: None,
                    actor: Actor::role("coordinator"),
                },
                opened,
            )
            .unwrap();
        let first = view.steps.iter().find(|s| s.applicable).unwrap();
        engine
            .set_step_state(
                &view.reference,
                &StepChangeRequest {
                    step: first.id.clone(),
                    state: StepState::Done,
                    role: "coordinator".into(),
                    initials: None,
                    reason: None,
                    note: None,
                    record: BTreeMap::new(),
                },
                opened + Duration::minutes(30),
            )
            .unwrap();
        if i % 10 == 0 {
            engine
                .close_case(
                    &view.reference,
                    "referred elsewhere",
                    &Actor::role("coordinator"),
                    opened + Duration::hours(1),
                )
                .unwrap();
        }
        last = view.reference;
    }
    (engine, last)
}

fn list_and_view(c: &mut Criterion) {
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.sqlite3");
    let (engine, newest) = seeded(&path, now);
    let all = engine.case_list(&CaseFilter::default(), now).unwrap();
    assert_eq!(all.len(), CASES, "the list holds every case");

    let mut g = c.benchmark_group("cases_10k");
    g.sample_size(20);
    g.bench_function("list_all", |b| {
        b.iter(|| engine.case_list(&CaseFilter::default(), now).unwrap())
    });
    let open = CaseFilter {
        status: Some(CaseStatus::Open),
        ..Default::default()
    };
    g.bench_function("list_open", |b| {
        b.iter(|| engine.case_list(&open, now).unwrap())
    });
    // What the window asks: open cases with counts per role, no action lists.
    let open_counts = CaseFilter {
        status: Some(CaseStatus::Open),
        counts_only: true,
        ..Default::default()
    };
    g.bench_function("list_open_counts", |b| {
        b.iter(|| engine.case_list(&open_counts, now).unwrap())
    });
    let mine_overdue = CaseFilter {
        status: Some(CaseStatus::Open),
        overdue_only: true,
        role: Some("police".into()),
        ..Default::default()
    };
    g.bench_function("list_overdue_for_a_role", |b| {
        b.iter(|| engine.case_list(&mine_overdue, now).unwrap())
    });
    // What the app does on its first command: open the database, check the shipped packs.
    g.bench_function("engine_open", |b| {
        b.iter(|| Engine::open(&path, now).unwrap())
    });
    g.bench_function("case_view_summary", |b| {
        b.iter(|| engine.case_view(&newest, now).unwrap())
    });

    // The floor: the same rows read with bare rusqlite, no rules applied.
    let conn = rusqlite::Connection::open(&path).unwrap();
    g.bench_function("bare_sqlite_read_cases_and_steps", |b| {
        b.iter(|| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT reference, pack_key, status, label, facts, training, opened_at, closed_at
                     FROM cases ORDER BY opened_at DESC, reference",
                )
                .unwrap();
            let cases: Vec<(String, String, String, Option<String>, String)> = stmt
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let mut stmt = conn
                .prepare_cached("SELECT reference, step, state, changed_at FROM steps")
                .unwrap();
            let steps: Vec<(String, String, String, String)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            (cases, steps)
        })
    });
    g.finish();
}

/// 10,000 cases over two years on three pack versions, with the facts and steps the export
/// breaks down by.
fn stats_export(c: &mut Criterion) {
    let ages = ["0-5", "6-9", "10-12", "13-15", "16-17"];
    let forms = ["contact", "grooming", "sextortion", "images"];
    let packs = ["p@1.0.0", "p@1.1.0", "p@1.2.0"];
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap();
    let cases: Vec<StatsCase> = (0..CASES as u32)
        .map(|i| {
            // Spread evenly over 730 days.
            let opened = start + Duration::minutes(i64::from(i) * 730 * 24 * 60 / CASES as i64);
            let mut facts = BTreeMap::new();
            facts.insert(
                "online_element".into(),
                vec![if i % 5 == 0 { "no" } else { "yes" }.into()],
            );
            facts.insert("age_band".into(), vec![ages[(i * 3 % 5) as usize].into()]);
            facts.insert(
                "abuse_types".into(),
                vec![
                    forms[(i % 4) as usize].into(),
                    forms[(i * 7 % 4) as usize].into(),
                ],
            );
            StatsCase {
                pack: packs[(i % 3) as usize].into(),
                opened_at: opened,
                facts,
                steps: vec![
                    StatsStep {
                        role: "police".into(),
                        due: Some(opened + Duration::days(14)),
                        done_at: Some(opened + Duration::days(i64::from(i % 20))),
                    },
                    StatsStep {
                        role: "social-services".into(),
                        due: Some(opened + Duration::days(7)),
                        done_at: (i % 7 != 0).then(|| opened + Duration::days(i64::from(i % 9))),
                    },
                ],
                milestones: Milestones {
                    forensic_interview: Some(opened + Duration::days(i64::from(i % 30))),
                    ..Default::default()
                },
            }
        })
        .collect();
    let options = StatsOptions::new(
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    );
    let report = aggregate(&cases, &options).unwrap();
    assert!(
        !report.to_csv().is_empty(),
        "the export has content to measure"
    );
    let mut g = c.benchmark_group("stats_10k");
    g.sample_size(10);
    g.bench_function("aggregate_monthly_k5", |b| {
        b.iter(|| aggregate(std::hint::black_box(&cases), &options).unwrap())
    });
    g.bench_function("aggregate_and_csv", |b| {
        b.iter(|| {
            aggregate(std::hint::black_box(&cases), &options)
                .unwrap()
                .to_csv()
        })
    });
    g.finish();
}

criterion_group!(benches, list_and_view, stats_export);
criterion_main!(benches);
