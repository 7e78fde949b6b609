//! Privacy benchmarks: the PII guard on a typical step note and on a long text (it runs
//! on every free-text field before it is saved), and the statistics export with
//! complementary suppression over two years of monthly groups.
//!
//! Run: `cargo bench --bench privacy` (add `-- --measurement-time 3` for a quick run).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};

use caseway::privacy::stats::{aggregate, Milestones, StatsCase, StatsOptions, StatsStep};
use caseway::privacy::{guard, scan};

const NOTE: &str = "Planning meeting held 2026-03-14 09:30 with police, social services and \
    the paediatrician. Interview booked within 14d (BH-2026-7F3K, step conduct-forensic-\
    interview). Devices: 2 phones, 1 laptop seized; platform report received, preservation \
    request sent for 90 days. Child (age band 13-15) informed by the coordinator; carer \
    will be offered support. Follow-up review in 72h. Amount paid to the offender: 1 500 SEK.";

fn guard_bench(c: &mut Criterion) {
    assert!(guard("note", NOTE).is_ok());
    c.bench_function("guard a 450-character step note", |b| {
        b.iter(|| guard("note", std::hint::black_box(NOTE)))
    });
    let long = NOTE.repeat(40);
    c.bench_function("scan an 18 000-character text", |b| {
        b.iter(|| scan(std::hint::black_box(&long)))
    });
}

fn stats_bench(c: &mut Criterion) {
    let ages = ["0-5", "6-9", "10-12", "13-15", "16-17"];
    let forms = ["contact", "grooming", "sextortion", "images"];
    let packs = ["p@1.0.0", "p@1.1.0", "p@1.2.0"];
    let cases: Vec<StatsCase> = (0..3000u32)
        .map(|i| {
            let opened = Utc
                .with_ymd_and_hms(
                    2024 + (i % 2) as i32,
                    1 + (i * 7 % 12),
                    1 + (i * 13 % 28),
                    9,
                    0,
                    0,
                )
                .unwrap();
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
                steps: vec![StatsStep {
                    role: "police".into(),
                    due: Some(opened + Duration::days(14)),
                    done_at: Some(opened + Duration::days((i % 20) as i64)),
                }],
                milestones: Milestones {
                    forensic_interview: Some(opened + Duration::days((i % 30) as i64)),
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
    c.bench_function("stats export: 3000 cases, 72 monthly groups, k = 5", |b| {
        b.iter(|| aggregate(std::hint::black_box(&cases), &options).unwrap())
    });
    // Sparse: about 4 cases a group, so most cells are small and complementary
    // suppression does the most work.
    let sparse: Vec<StatsCase> = cases.iter().step_by(10).cloned().collect();
    c.bench_function("stats export: 300 cases, 72 monthly groups, k = 5", |b| {
        b.iter(|| aggregate(std::hint::black_box(&sparse), &options).unwrap())
    });
}

criterion_group!(benches, guard_bench, stats_bench);
criterion_main!(benches);
