//! Anonymised statistics: hand-computed tables for a small database with small groups,
//! including the suppression cases, and checks that nothing identifying is exported.

use std::collections::BTreeMap;

use caseway::privacy::stats::{
    aggregate, Breakdown, Cell, Milestones, Period, StatsCase, StatsError, StatsOptions, StatsStep,
    Table,
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

const OLD: &str = "barnahus-online-csa@1.0.0";
const NEW: &str = "barnahus-online-csa@1.1.0";
const K: u64 = 3;

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// One case: pack, opening day, online element, age band, forms of abuse, days until
/// the police step (due in 14 days) and the social services step (due in 1 day) were
/// done, and days until the forensic interview and medical examination.
#[allow(clippy::too_many_arguments)]
fn case(
    pack: &str,
    opened: DateTime<Utc>,
    online: Option<&str>,
    age: Option<&str>,
    abuse: &[&str],
    police_done: Option<i64>,
    social_done: Option<i64>,
    interview: Option<i64>,
    medical: Option<i64>,
) -> StatsCase {
    let mut facts = BTreeMap::new();
    if let Some(o) = online {
        facts.insert("online_element".to_string(), vec![o.to_string()]);
    }
    if let Some(a) = age {
        facts.insert("age_band".to_string(), vec![a.to_string()]);
    }
    facts.insert(
        "abuse_types".to_string(),
        abuse.iter().map(|s| s.to_string()).collect(),
    );
    let after = |d: Option<i64>| d.map(|d| opened + Duration::days(d));
    StatsCase {
        pack: pack.to_string(),
        opened_at: opened,
        facts,
        steps: vec![
            StatsStep {
                role: "police".into(),
                due: Some(opened + Duration::days(14)),
                done_at: after(police_done),
            },
            StatsStep {
                role: "social-services".into(),
                due: Some(opened + Duration::days(1)),
                done_at: after(social_done),
            },
            // No deadline: never counted in the on-time shares.
            StatsStep {
                role: "coordinator".into(),
                due: None,
                done_at: None,
            },
        ],
        milestones: Milestones {
            forensic_interview: after(interview),
            medical_examination: after(medical),
            therapy_start: None,
        },
    }
}

/// 17 cases: 15 opened from January to March 2026 in four groups (pack version and
/// month) of 3, 6, 4 and 2 cases, and two outside the period.
fn database() -> Vec<StatsCase> {
    let y = Some("yes");
    let n = Some("no");
    let mut cases = vec![
        // 1.1.0, January: 6 cases.
        case(
            NEW,
            at(2026, 1, 5),
            y,
            Some("13-15"),
            &["grooming", "sextortion"],
            Some(5),
            Some(1),
            Some(10),
            Some(1),
        ),
        case(
            NEW,
            at(2026, 1, 10),
            y,
            Some("13-15"),
            &["sextortion"],
            Some(7),
            Some(1),
            Some(12),
            Some(2),
        ),
        case(
            NEW,
            at(2026, 1, 12),
            y,
            Some("10-12"),
            &["grooming"],
            Some(12),
            Some(1),
            Some(7),
            Some(3),
        ),
        case(
            NEW,
            at(2026, 1, 20),
            n,
            Some("13-15"),
            &["contact"],
            Some(15),
            Some(1),
            None,
            None,
        ),
        case(
            NEW,
            at(2026, 1, 28),
            y,
            Some("16-17"),
            &["sextortion"],
            None,
            Some(1),
            Some(20),
            None,
        ),
        case(
            NEW,
            at(2026, 1, 30),
            y,
            Some("13-15"),
            &["grooming"],
            Some(14),
            Some(1),
            Some(15),
            None,
        ),
        // 1.1.0, February: 4 cases.
        case(
            NEW,
            at(2026, 2, 2),
            y,
            Some("13-15"),
            &["sextortion"],
            Some(3),
            Some(0),
            Some(5),
            Some(4),
        ),
        case(
            NEW,
            at(2026, 2, 9),
            y,
            Some("10-12"),
            &["grooming", "contact"],
            Some(30),
            Some(0),
            Some(9),
            None,
        ),
        case(
            NEW,
            at(2026, 2, 15),
            n,
            Some("10-12"),
            &["contact"],
            Some(10),
            Some(0),
            Some(11),
            None,
        ),
        case(
            NEW,
            at(2026, 2, 27),
            y,
            Some("16-17"),
            &["sextortion"],
            None,
            Some(5),
            Some(13),
            None,
        ),
        // 1.0.0 (cases that started on the old version), March: 3 cases.
        case(
            OLD,
            at(2026, 3, 3),
            y,
            Some("13-15"),
            &["sextortion"],
            Some(10),
            Some(0),
            Some(9),
            None,
        ),
        case(
            OLD,
            at(2026, 3, 14),
            y,
            Some("13-15"),
            &["grooming"],
            Some(20),
            Some(0),
            Some(14),
            None,
        ),
        case(
            OLD,
            at(2026, 3, 30),
            y,
            None,
            &["sextortion"],
            None,
            Some(2),
            None,
            None,
        ),
        // 1.1.0, March: 2 cases, a small group.
        case(
            NEW,
            at(2026, 3, 5),
            y,
            Some("13-15"),
            &["grooming"],
            Some(2),
            Some(0),
            Some(3),
            None,
        ),
        case(
            NEW,
            at(2026, 3, 19),
            n,
            Some("10-12"),
            &["contact"],
            Some(1),
            Some(1),
            None,
            None,
        ),
        // Outside the period.
        case(
            NEW,
            at(2025, 12, 31),
            y,
            Some("13-15"),
            &["sextortion"],
            Some(1),
            Some(1),
            Some(1),
            None,
        ),
        case(
            NEW,
            at(2026, 4, 1),
            y,
            Some("13-15"),
            &["sextortion"],
            Some(1),
            Some(1),
            Some(1),
            None,
        ),
    ];
    // A step not yet due when the export is made: left out of the shares.
    cases[13].steps.push(StatsStep {
        role: "therapy".into(),
        due: Some(at(2026, 4, 20)),
        done_at: None,
    });
    cases
}

fn options(breakdowns: Vec<Breakdown>) -> StatsOptions {
    StatsOptions {
        from: date(2026, 1, 1),
        to: date(2026, 3, 31),
        k: K,
        period: Period::Month,
        as_of: at(2026, 4, 15),
        breakdowns,
    }
}

fn online() -> Breakdown {
    Breakdown {
        fact: "online_element".into(),
        values: vec!["yes".into(), "no".into()],
        multi: false,
    }
}

fn age() -> Breakdown {
    Breakdown {
        fact: "age_band".into(),
        values: vec![],
        multi: false,
    }
}

fn abuse() -> Breakdown {
    Breakdown {
        fact: "abuse_types".into(),
        values: vec![],
        multi: true,
    }
}

/// A table as text, one line per row: `pack period | cell cell ...`.
fn render(t: &Table) -> Vec<String> {
    t.rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r.cells.iter().map(|c| c.to_string()).collect();
            format!("{} {} | {}", r.pack, r.period, cells.join(" "))
        })
        .collect()
}

#[test]
fn cases_by_online_element_with_complementary_suppression() {
    // Hand-computed counts (yes, no, total):
    //   1.0.0 2026-03: 3 0 | 3
    //   1.1.0 2026-01: 5 1 | 6
    //   1.1.0 2026-02: 3 1 | 4
    //   1.1.0 2026-03: 1 1 | 2
    //   total:        12 3 | 15
    // Below k = 3: the three 1s in the "no" column, the 1 "yes" of March and the March
    // total of 2. Shown alone, the "yes" of March would follow from its column (12 − 3
    // − 5 − 3) and the March total from the column of totals (15 − 3 − 6 − 4). So the
    // "yes" of February (3) is hidden with it in the "yes" column, the February total
    // (4) with the March total, and the January "yes" (5) as the January row's "no" is
    // suppressed. The reader then has three free unknowns and can pin no cell: the
    // "no" column (3 = three cells of 0 to 2), January (6 = a hidden cell of at least 3
    // and a cell of 0 to 2), and so on.
    let report = aggregate(&database(), &options(vec![online()])).unwrap();
    let t = report.table("cases_by_online_element").unwrap();
    assert_eq!(t.columns, vec!["yes", "no", "total"]);
    assert_eq!(
        render(t),
        vec![
            format!("{OLD} 2026-03 | 3 0 3"),
            format!("{NEW} 2026-01 | x <3 6"),
            format!("{NEW} 2026-02 | x <3 x"),
            format!("{NEW} 2026-03 | <3 <3 <3"),
            "total total | 12 3 15".to_string(),
        ]
    );
}

/// Hand-computed counts of the three breakdowns over the 15 cases in the period, in
/// row order (1.0.0 March, 1.1.0 January, February, March), last column the total.
/// (table id, columns, counts per row with the total row last)
type HandTable = (&'static str, Vec<&'static str>, Vec<Vec<u64>>);

fn hand_counts() -> Vec<HandTable> {
    vec![
        (
            "cases_by_online_element",
            vec!["yes", "no", "total"],
            vec![
                vec![3, 0, 3],
                vec![5, 1, 6],
                vec![3, 1, 4],
                vec![1, 1, 2],
                vec![12, 3, 15],
            ],
        ),
        (
            "cases_by_age_band",
            vec!["10-12", "13-15", "16-17", "not recorded", "total"],
            vec![
                vec![0, 2, 0, 1, 3],
                vec![1, 4, 1, 0, 6],
                vec![2, 1, 1, 0, 4],
                vec![1, 1, 0, 0, 2],
                vec![4, 8, 2, 1, 15],
            ],
        ),
        (
            // A case counts once per form of abuse, so rows do not add up to totals.
            "cases_by_abuse_types",
            vec!["contact", "grooming", "sextortion", "total"],
            vec![
                vec![0, 1, 2, 3],
                vec![1, 3, 3, 6],
                vec![2, 1, 2, 4],
                vec![1, 1, 0, 2],
                vec![4, 6, 7, 15],
            ],
        ),
    ]
}

/// What a reader can work out from a published count table: interval reasoning over
/// each column sum (and each row sum when rows add up), with `<k` as 0..k−1 and `x`
/// as k or more. Returns the (row, column) of every suppressed cell pinned to one value.
fn reader_can_pin(t: &Table, additive_rows: bool) -> Vec<(usize, usize)> {
    reader_can_pin_k(t, additive_rows, K)
}

fn reader_can_pin_k(t: &Table, additive_rows: bool, k_used: u64) -> Vec<(usize, usize)> {
    const INF: i64 = 1 << 40;
    let rows = t.rows.len();
    let cols = t.columns.len();
    let mut lo = vec![vec![0i64; cols]; rows];
    let mut hi = vec![vec![0i64; cols]; rows];
    for (i, r) in t.rows.iter().enumerate() {
        for (j, c) in r.cells.iter().enumerate() {
            (lo[i][j], hi[i][j]) = match *c {
                Cell::Count(v) => (v as i64, v as i64),
                Cell::Suppressed { k } => (0, k as i64 - 1),
                Cell::Hidden => (k_used as i64, INF),
                other => panic!("unexpected cell {other:?} in a count table"),
            };
        }
    }
    let suppressed = |i: usize, j: usize| !matches!(t.rows[i].cells[j], Cell::Count(_));
    // Lines as (cells that add up, the total they add up to).
    type Line = (Vec<(usize, usize)>, (usize, usize));
    let mut lines: Vec<Line> = Vec::new();
    for j in 0..cols {
        lines.push(((0..rows - 1).map(|i| (i, j)).collect(), (rows - 1, j)));
    }
    if additive_rows {
        for i in 0..rows {
            lines.push(((0..cols - 1).map(|j| (i, j)).collect(), (i, cols - 1)));
        }
    }
    for _ in 0..100 {
        let mut changed = false;
        for (parts, total) in &lines {
            // total − Σ parts = 0: narrow each unknown from the others.
            let sum_lo: i64 = parts.iter().map(|&(i, j)| lo[i][j]).sum();
            let sum_hi: i64 = parts.iter().map(|&(i, j)| hi[i][j]).sum();
            for &(i, j) in parts {
                let others_lo = sum_lo - lo[i][j];
                let others_hi = sum_hi - hi[i][j];
                let new_lo = lo[i][j].max(lo[total.0][total.1] - others_hi.min(INF));
                let new_hi = hi[i][j].min(hi[total.0][total.1] - others_lo);
                if (new_lo, new_hi) != (lo[i][j], hi[i][j]) {
                    (lo[i][j], hi[i][j]) = (new_lo, new_hi);
                    changed = true;
                }
            }
            let (ti, tj) = *total;
            let new_lo = lo[ti][tj].max(sum_lo);
            let new_hi = hi[ti][tj].min(sum_hi.min(INF));
            if (new_lo, new_hi) != (lo[ti][tj], hi[ti][tj]) {
                (lo[ti][tj], hi[ti][tj]) = (new_lo, new_hi);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut pinned = Vec::new();
    for i in 0..rows {
        for j in 0..cols {
            if suppressed(i, j) && lo[i][j] == hi[i][j] {
                pinned.push((i, j));
            }
        }
    }
    pinned
}

#[test]
fn every_count_table_matches_the_hand_counts_and_hides_small_cells_for_good() {
    let report = aggregate(&database(), &options(vec![online(), age(), abuse()])).unwrap();
    for (id, columns, counts) in hand_counts() {
        let t = report.table(id).unwrap();
        assert_eq!(t.columns, columns, "{id}");
        assert_eq!(t.rows.len(), counts.len(), "{id}");
        for (i, (row, expected)) in t.rows.iter().zip(&counts).enumerate() {
            for (j, (cell, &n)) in row.cells.iter().zip(expected).enumerate() {
                match *cell {
                    Cell::Count(v) => {
                        assert_eq!(v, n, "{id} row {i} column {j}");
                        assert!(v == 0 || v >= K, "{id} row {i} column {j}: {v} shown");
                    }
                    Cell::Suppressed { k } => {
                        assert_eq!(k, K);
                        assert!(n < K, "{id} row {i} column {j}: {n} shown as <{K}");
                    }
                    Cell::Hidden => assert!(n >= K, "{id} row {i} column {j}: {n} as x"),
                    other => panic!("{id}: unexpected {other:?}"),
                }
            }
        }
        let additive = id != "cases_by_abuse_types";
        assert_eq!(
            reader_can_pin(t, additive),
            vec![],
            "{id}:\n{}",
            render(t).join("\n")
        );
    }
    // The row totals (cases opened per pack version and month) are the same numbers in
    // every table, so they are suppressed alike everywhere.
    let totals: Vec<Vec<Cell>> = [
        "cases_by_online_element",
        "cases_by_age_band",
        "cases_by_abuse_types",
    ]
    .iter()
    .map(|id| {
        let t = report.table(id).unwrap();
        t.rows.iter().map(|r| *r.cells.last().unwrap()).collect()
    })
    .collect();
    assert_eq!(totals[0], totals[1]);
    assert_eq!(totals[0], totals[2]);
    assert_eq!(
        totals[0][3],
        Cell::Suppressed { k: K },
        "the March group of 2"
    );
}

#[test]
fn the_reader_check_catches_a_lone_suppressed_cell() {
    // The test's own reader must be able to fail: a table with one small cell
    // suppressed and nothing else gives it away through its row and column.
    let t = Table {
        id: "t".into(),
        title: "t".into(),
        columns: vec!["a".into(), "b".into(), "total".into()],
        rows: vec![
            caseway::privacy::stats::Row {
                pack: "p".into(),
                period: "2026-01".into(),
                cells: vec![Cell::Suppressed { k: K }, Cell::Count(5), Cell::Count(6)],
            },
            caseway::privacy::stats::Row {
                pack: "total".into(),
                period: "total".into(),
                cells: vec![Cell::Count(1), Cell::Count(5), Cell::Count(6)],
            },
        ],
    };
    assert_eq!(reader_can_pin(&t, true), vec![(0, 0)]);
}

#[test]
fn steps_on_time_per_role() {
    // Hand-computed, as of 15 April 2026 (police due in 14 days, social services in 1):
    //   1.0.0 March: police 10, 20 days, one open and overdue → 1 of 3 = 33.3 %;
    //                social services 0, 0, 2 days → 2 of 3 = 66.7 %.
    //   1.1.0 January: police 5, 7, 12, 15, open, 14 → 4 of 6 = 66.7 %; social 6 of 6.
    //   1.1.0 February: police 3, 30, 10, open → 2 of 4 = 50 %; social 0, 0, 0, 5 → 75 %.
    //   1.1.0 March: 2 cases, fewer than k → suppressed.
    // The coordinator step has no deadline and the therapy step is not due yet: the
    // therapy column is empty and there is no coordinator column.
    let report = aggregate(&database(), &options(vec![])).unwrap();
    let t = report.table("steps_on_time").unwrap();
    assert_eq!(t.columns, vec!["police", "social-services", "therapy"]);
    assert_eq!(
        render(t),
        vec![
            format!("{OLD} 2026-03 | 33.3 66.7 "),
            format!("{NEW} 2026-01 | 66.7 100.0 "),
            format!("{NEW} 2026-02 | 50.0 75.0 "),
            format!("{NEW} 2026-03 | <3 <3 "),
        ]
    );
}

#[test]
fn median_days_to_milestones() {
    // Hand-computed days from opening:
    //   forensic interview: 1.0.0 March 9, 14 (2 cases: suppressed); January 10, 12, 7,
    //   20, 15 → median 12 of 5; February 5, 9, 11, 13 → median 10 of 4; March 3 (1).
    //   medical examination: January 1, 2, 3 → median 2 of 3; February 4 (1 case).
    //   therapy: none.
    let report = aggregate(&database(), &options(vec![])).unwrap();
    let t = report.table("days_to_milestones").unwrap();
    assert_eq!(
        t.columns,
        vec![
            "forensic_interview_cases",
            "forensic_interview_median_days",
            "medical_examination_cases",
            "medical_examination_median_days",
            "therapy_start_cases",
            "therapy_start_median_days"
        ]
    );
    assert_eq!(
        render(t),
        vec![
            format!("{OLD} 2026-03 | <3 <3 0  0 "),
            format!("{NEW} 2026-01 | 5 12 3 2 0 "),
            format!("{NEW} 2026-02 | 4 10 <3 <3 0 "),
            format!("{NEW} 2026-03 | <3 <3 0  0 "),
        ]
    );
}

#[test]
fn shares_and_milestones_of_groups_with_a_hidden_total_are_hidden() {
    // With the count tables, the totals of 1.0.0 March (3) and 1.1.0 February (4) are
    // hidden (see above); a share of 33.3 % or 75 % would hint at them.
    let report = aggregate(&database(), &options(vec![online(), age(), abuse()])).unwrap();
    let total = |id: &str, row: usize| *report.table(id).unwrap().rows[row].cells.last().unwrap();
    assert_eq!(total("cases_by_online_element", 0), Cell::Hidden);
    assert_eq!(total("cases_by_online_element", 2), Cell::Hidden);
    assert_eq!(
        render(report.table("steps_on_time").unwrap()),
        vec![
            format!("{OLD} 2026-03 | x x "),
            format!("{NEW} 2026-01 | 66.7 100.0 "),
            format!("{NEW} 2026-02 | x x "),
            format!("{NEW} 2026-03 | <3 <3 "),
        ]
    );
    assert_eq!(
        render(report.table("days_to_milestones").unwrap()),
        vec![
            format!("{OLD} 2026-03 | <3 <3 0  0 "),
            format!("{NEW} 2026-01 | 5 12 3 2 0 "),
            format!("{NEW} 2026-02 | x x <3 <3 0 "),
            format!("{NEW} 2026-03 | <3 <3 0  0 "),
        ]
    );
}

#[test]
fn quarters_group_the_months() {
    let mut o = options(vec![online()]);
    o.period = Period::Quarter;
    let report = aggregate(&database(), &o).unwrap();
    let t = report.table("cases_by_online_element").unwrap();
    // 1.0.0: 3 cases, all online; 1.1.0: 12 cases, 9 online and 3 not.
    assert_eq!(
        render(t),
        vec![
            format!("{OLD} 2026-Q1 | 3 0 3"),
            format!("{NEW} 2026-Q1 | 9 3 12"),
            "total total | 12 3 15".to_string(),
        ]
    );
}

#[test]
fn the_export_holds_no_reference_free_text_or_exact_date() {
    let report = aggregate(&database(), &options(vec![online(), age(), abuse()])).unwrap();
    for text in [report.to_csv(), report.to_json()] {
        assert!(!text.contains("BH-"), "a case reference in the export");
        for exact in [
            "2026-01-05",
            "2026-03-19",
            "2025-12-31",
            "T09:00",
            "09:00:00",
        ] {
            assert!(
                !text.contains(exact),
                "an exact date in the export: {exact}"
            );
        }
        assert!(text.contains("2026-01") && text.contains("<3"));
    }
    let csv = report.to_csv();
    assert!(csv.starts_with("table,pack,period,column,value\n"));
    assert!(csv.contains(&format!("cases_by_online_element,{NEW},2026-03,total,<3\n")));
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["k"], 3);
    assert_eq!(json["tables"][0]["rows"][3]["cells"][2], "<3");
}

#[test]
fn bad_options_are_refused() {
    let mut o = options(vec![]);
    o.k = 0;
    assert_eq!(aggregate(&[], &o), Err(StatsError::InvalidK { k: 0 }));
    let mut o = options(vec![]);
    o.from = date(2026, 4, 1);
    let err = aggregate(&[], &o).unwrap_err();
    assert!(
        err.to_string().contains("--from must not be after --to"),
        "{err}"
    );
}

#[test]
fn an_empty_period_gives_empty_tables() {
    let mut o = StatsOptions::new(date(2020, 1, 1), date(2020, 12, 31), at(2026, 4, 15));
    o.k = 5;
    let report = aggregate(&database(), &o).unwrap();
    let t = report.table("cases_by_online_element").unwrap();
    assert_eq!(render(t), vec!["total total | 0 0 0".to_string()]);
}

/// A small deterministic pseudo-random generator, so the test is reproducible.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn random_databases_never_let_a_reader_work_out_a_suppressed_cell() {
    let ages = ["0-5", "6-9", "10-12", "13-15", "16-17"];
    let forms = ["contact", "grooming", "sextortion", "images"];
    let mut rng = Lcg(7);
    for round in 0..150 {
        let k = [3, 5][round % 2];
        let n_cases = 1 + rng.next(60) as usize;
        let cases: Vec<StatsCase> = (0..n_cases)
            .map(|_| {
                let pack = if rng.next(3) == 0 { OLD } else { NEW };
                let opened = at(2026, 1 + rng.next(6) as u32, 1 + rng.next(28) as u32);
                let online = if rng.next(4) == 0 { "no" } else { "yes" };
                let age = ages[rng.next(ages.len() as u64) as usize];
                let mut abuse: Vec<&str> =
                    forms.iter().copied().filter(|_| rng.next(3) == 0).collect();
                if abuse.is_empty() && rng.next(2) == 0 {
                    abuse.push("sextortion");
                }
                case(
                    pack,
                    opened,
                    Some(online),
                    Some(age),
                    &abuse,
                    Some(3),
                    Some(1),
                    Some(10),
                    None,
                )
            })
            .collect();
        let mut o = options(vec![online(), age(), abuse()]);
        o.to = date(2026, 6, 30);
        o.k = k;
        let report = aggregate(&cases, &o).unwrap();
        for (id, additive) in [
            ("cases_by_online_element", true),
            ("cases_by_age_band", true),
            ("cases_by_abuse_types", false),
        ] {
            let t = report.table(id).unwrap();
            for row in &t.rows {
                for cell in &row.cells {
                    if let Cell::Count(v) = cell {
                        assert!(
                            *v == 0 || *v >= k,
                            "round {round} {id}: {v} shown with k = {k}"
                        );
                    }
                }
            }
            let pinned = reader_can_pin_k(t, additive, k);
            assert_eq!(
                pinned,
                vec![],
                "round {round} {id} (k = {k}):\n{}",
                render(t).join("\n")
            );
        }
    }
}
