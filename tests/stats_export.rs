//! `caseway stats export` on a real database: cases opened through the binary at chosen
//! times (`CASEWAY_NOW`) with chosen facts, milestone steps finished at known times, the
//! export compared with tables worked out by hand, including a small group (suppressed,
//! with its complementary suppression). The export must hold no reference, no label,
//! note or reason, and no exact date.
//!
//! The database (k = 5, months, exported on 2026-12-01, so every deadline has passed):
//!
//! | group | pack | opened | cases | online yes/no | age band | abuse |
//! |---|---|---|---|---|---|---|
//! | S  | barnahus-online-csa@1.0.0 | 2026-03 | 2  | 2/0 | 12-17 | grooming |
//! | G0 | barnahus-online-csa@1.1.0 | 2026-03 | 9  | 7/2 | 12-17 | grooming |
//! | G1 | barnahus-online-csa@1.1.0 | 2026-04 | 12 | 6/6 | 12-17 | grooming |
//!
//! plus a case opened just before and one just after the period, and a training case
//! (unsigned pack) in April: none of them may count.
//!
//! Milestones: G1 has the forensic interview after 3, 5, 7, 10, 20 and 30 days (median
//! 8.5; on time within 2 weeks: 4 of 12 police steps = 33.3 %), the medical examination
//! after 2, 4, 4, 6 and 9 days (median 4), crisis support in 3 cases (fewer than k: `<5`).
//! G1's protection assessments (24 h): 4 on time, 2 late, 6 never done, and no
//! investigation decision (14 days) done: 4 of 24 social services steps on time = 16.7 %.
//! G0 has 5 forensic interviews and 1 crisis support.
//!
//! Suppression, worked out by hand (see the comments at `expected_counts`): S has 2
//! cases, so its total is `<5` in every table; to keep it from being worked out from the
//! grand total, G0's total is hidden too (`x`), and with it G0's shares and milestone
//! figures. In the online element table, S's 2 "yes" and G0's 2 "no" are `<5`; G0's 7
//! "yes" and S's 0 "no" are suppressed as their complements, so that no suppressed cell
//! follows from a row or column total.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use caseway::case::Engine;
use caseway::privacy::stats::StatsOptions;

const V100: &str = "barnahus-online-csa@1.0.0";
const V110: &str = "barnahus-online-csa@1.1.0";
const EXPORT_AT: &str = "2026-12-01T12:00:00Z";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn run_at(db: &Path, now: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caseway"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CASEWAY_DB")
        .env("CASEWAY_NOW", now)
        .output()
        .expect("the caseway binary runs")
}

fn ok_at(db: &Path, now: &str, args: &[&str]) -> String {
    let out = run_at(db, now, args);
    assert!(
        out.status.success(),
        "caseway {args:?} at {now} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

/// Text put into labels, notes and reasons: none of it may reach the export.
const SECRET: &str = "Quokkatext";

struct Case {
    reference: String,
    opened: DateTime<Utc>,
}

fn open(db: &Path, pack: &str, opened: DateTime<Utc>, online: bool, n: usize) -> Case {
    let online = format!("online_element={online}");
    let label = format!("{SECRET} label {n}");
    let out = ok_at(
        db,
        &rfc(opened),
        &[
            "case",
            "open",
            "--pack",
            pack,
            "--fact",
            &online,
            "--fact",
            "age_band=12-17",
            "--fact",
            "abuse_types=grooming",
            "--label",
            &label,
        ],
    );
    let reference = out.lines().last().unwrap().trim().to_string();
    assert!(reference.starts_with("BH-"), "{out}");
    Case { reference, opened }
}

fn step(db: &Path, case: &Case, at: Duration, step: &str, role: &str) {
    let note = format!("{SECRET} note on {step}");
    ok_at(
        db,
        &rfc(case.opened + at),
        &[
            "case",
            "step",
            &case.reference,
            step,
            "--state",
            "done",
            "--role",
            role,
            "--note",
            &note,
        ],
    );
}

/// The forensic interview, after its two prerequisites are marked not applicable.
fn interview(db: &Path, case: &Case, days: i64) {
    let at = case.opened + Duration::days(days);
    for prerequisite in ["decide-interview", "prepare-interview"] {
        let reason = format!("{SECRET} reason");
        ok_at(
            db,
            &rfc(at - Duration::hours(1)),
            &[
                "case",
                "step",
                &case.reference,
                prerequisite,
                "--state",
                "na",
                "--reason",
                &reason,
                "--role",
                "coordinator",
            ],
        );
    }
    step(
        db,
        case,
        Duration::days(days),
        "conduct-forensic-interview",
        "police",
    );
}

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
    dir: PathBuf,
    references: Vec<String>,
}

fn build() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("caseway.sqlite3");
    let db = path.as_path();
    let mut references = Vec::new();

    // Just outside the period, on both sides.
    references.push(open(db, V110, t("2026-02-28T23:50:00Z"), true, 0).reference);
    references.push(open(db, V110, t("2026-05-01T00:10:00Z"), true, 0).reference);

    // S: two cases on 1.0.0 in March (the last one in its last second).
    for (n, at) in ["2026-03-10T08:00:00Z", "2026-03-31T23:59:59Z"]
        .iter()
        .enumerate()
    {
        references.push(open(db, V100, t(at), true, n).reference);
    }

    // G0: nine cases on 1.1.0 in March, 7 online, 5 interviews after 5 days, 1 crisis support.
    let g0: Vec<Case> = (0..9)
        .map(|i| {
            let opened = t("2026-03-02T10:00:00Z") + Duration::days(i as i64);
            open(db, V110, opened, i < 7, i)
        })
        .collect();
    for c in &g0[..5] {
        interview(db, c, 5);
    }
    step(db, &g0[0], Duration::days(1), "crisis-support", "therapy");

    // G1: twelve cases on 1.1.0 in April, 6 online; the last one in the last minutes of
    // the period.
    let g1: Vec<Case> = (0..12)
        .map(|i| {
            let opened = if i == 11 {
                t("2026-04-30T23:30:00Z")
            } else {
                t("2026-04-01T09:00:00Z") + Duration::days(i as i64)
            };
            open(db, V110, opened, i < 6, i)
        })
        .collect();
    for (c, days) in g1.iter().zip([3, 5, 7, 10, 20, 30]) {
        interview(db, c, days);
    }
    for (c, days) in g1.iter().zip([2, 4, 4, 6, 9]) {
        step(
            db,
            c,
            Duration::days(days),
            "offer-medical-examination",
            "medical",
        );
    }
    for (c, days) in g1.iter().zip([1, 1, 2]) {
        step(db, c, Duration::days(days), "crisis-support", "therapy");
    }
    for (c, hours) in g1.iter().zip([2, 2, 2, 2, 30, 30]) {
        step(
            db,
            c,
            Duration::hours(hours),
            "protection-assessment",
            "social-services",
        );
    }
    references.extend(g0.iter().chain(&g1).map(|c| c.reference.clone()));

    // A training case in April, on an unsigned copy of the pack.
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("protocols/barnahus-online-csa-1.1.0.toml"),
    )
    .unwrap();
    let copy = shipped.replacen("id = \"barnahus-online-csa\"", "id = \"training-copy\"", 1);
    assert_ne!(copy, shipped);
    let copy_path = dir.path().join("training-copy-1.1.0.toml");
    std::fs::write(&copy_path, copy).unwrap();
    ok_at(
        db,
        "2026-04-01T08:00:00Z",
        &["pack", "import", copy_path.to_str().unwrap(), "--unsigned"],
    );
    references.push(open(db, "training-copy", t("2026-04-10T09:00:00Z"), true, 99).reference);
    let training = training_cases(db);
    assert_eq!(training, 1, "exactly one training case");

    let dir_path = dir.path().to_path_buf();
    Db {
        _dir: dir,
        path,
        dir: dir_path,
        references,
    }
}

/// The number of training cases in the database.
fn training_cases(db: &Path) -> usize {
    let out = ok_at(db, EXPORT_AT, &["case", "list", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .filter(|c| c["training"] == true)
        .count()
}

/// Parses the long CSV into (table, pack, period, column) -> value, checking that no
/// cell appears twice.
fn parse_csv(text: &str) -> BTreeMap<(String, String, String, String), String> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("table,pack,period,column,value"));
    let mut out = BTreeMap::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 5, "line {line:?}");
        let key = (f[0].into(), f[1].into(), f[2].into(), f[3].into());
        assert!(out.insert(key, f[4].to_string()).is_none(), "twice: {line}");
    }
    out
}

type Expected = Vec<(
    &'static str,
    Vec<&'static str>,
    Vec<(&'static str, &'static str, Vec<&'static str>)>,
)>;

/// Every table, every row, every cell, worked out by hand.
fn expected_tables(s_period: &'static str, g1_period: &'static str) -> Expected {
    vec![
        // Online element (additive rows). Primary: S yes 2, S total 2, G0 no 2. S yes
        // follows from the yes column (15 - 7 - 6): G0 yes is taken as its complement
        // (the cell of that column in a row that already has suppressed cells). G0 no
        // then follows from the no column (8 - 0 - 6): S no (0) is its complement. S's
        // total follows from the grand total (23 - 9 - 12): G0's total is its
        // complement. Left: S yes = a, S no = b, G0 yes = 9 - a, G0 no = 2 - b, with
        // several (a, b) possible, so no suppressed cell can be worked out.
        (
            "cases_by_online_element",
            vec!["yes", "no", "total"],
            vec![
                (V100, s_period, vec!["<5", "<5", "<5"]),
                (V110, s_period, vec!["x", "<5", "x"]),
                (V110, g1_period, vec!["6", "6", "12"]),
                ("total", "total", vec!["15", "8", "23"]),
            ],
        ),
        // Age band: every option of the pack is a column, zeros included. S's 2 in
        // 12-17 follows from the column total, G0's 9 is its complement; the totals of
        // S and G0 are suppressed as in every table.
        (
            "cases_by_age_band",
            vec!["0-5", "6-11", "12-17", "total"],
            vec![
                (V100, s_period, vec!["0", "0", "<5", "<5"]),
                (V110, s_period, vec!["0", "0", "x", "x"]),
                (V110, g1_period, vec!["0", "0", "12", "12"]),
                ("total", "total", vec!["0", "0", "23", "23"]),
            ],
        ),
        // Forms of abuse (a multiple choice, so rows need not add up): S's 2 grooming
        // follows from the column total; G0's 9 is its complement.
        (
            "cases_by_abuse_types",
            vec![
                "grooming",
                "sextortion",
                "image_sharing",
                "contact",
                "live_streaming",
                "total",
            ],
            vec![
                (V100, s_period, vec!["<5", "0", "0", "0", "0", "<5"]),
                (V110, s_period, vec!["x", "0", "0", "0", "0", "x"]),
                (V110, g1_period, vec!["12", "0", "0", "0", "0", "12"]),
                ("total", "total", vec!["23", "0", "0", "0", "0", "23"]),
            ],
        ),
        // Shares: S rests on 2 cases (<5); G0's total is hidden, so its shares are too.
        // G1: police 4 of 12 on time, social services 4 of 24.
        (
            "steps_on_time",
            vec!["police", "social-services"],
            vec![
                (V100, s_period, vec!["<5", "<5"]),
                (V110, s_period, vec!["x", "x"]),
                (V110, g1_period, vec!["33.3", "16.7"]),
            ],
        ),
        // Milestones: G0's 5 interviews are hidden with its total, its 1 crisis support
        // is below k. G1: interviews after 3, 5, 7, 10, 20, 30 days (median 8.5),
        // examinations after 2, 4, 4, 6, 9 days (median 4), 3 crisis supports (<5).
        (
            "days_to_milestones",
            vec![
                "forensic_interview_cases",
                "forensic_interview_median_days",
                "medical_examination_cases",
                "medical_examination_median_days",
                "therapy_start_cases",
                "therapy_start_median_days",
            ],
            vec![
                (V100, s_period, vec!["0", "", "0", "", "0", ""]),
                (V110, s_period, vec!["x", "x", "0", "", "<5", "<5"]),
                (V110, g1_period, vec!["6", "8.5", "5", "4", "<5", "<5"]),
            ],
        ),
    ]
}

fn check_csv(csv: &str, expected: &Expected) {
    let cells = parse_csv(csv);
    let mut seen = 0;
    for (table, columns, rows) in expected {
        for (pack, period, values) in rows {
            assert_eq!(columns.len(), values.len(), "{table} {pack} {period}");
            for (column, value) in columns.iter().zip(values) {
                let key = (
                    table.to_string(),
                    pack.to_string(),
                    period.to_string(),
                    column.to_string(),
                );
                assert_eq!(
                    cells.get(&key).map(String::as_str),
                    Some(*value),
                    "{table} / {pack} {period} / {column}\n{csv}"
                );
                seen += 1;
            }
        }
    }
    // Nothing else: no other row (training pack, cases outside the period), no other column.
    assert_eq!(cells.len(), seen, "unexpected cells in\n{csv}");
}

/// No reference, no free text, no exact date or time.
fn check_anonymous(text: &str, references: &[String]) {
    assert!(!text.contains("BH-"), "a case reference in\n{text}");
    for r in references {
        assert!(!text.contains(r.as_str()));
    }
    assert!(!text.contains(SECRET), "free text in\n{text}");
    assert!(
        !text.contains("training-copy"),
        "a training pack in\n{text}"
    );
    let date = regex::Regex::new(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}").unwrap();
    assert!(
        !date.is_match(text),
        "an exact date or time in\n{text}: {:?}",
        date.find(text)
    );
}

#[test]
fn export_of_a_real_database_matches_the_tables_worked_out_by_hand() {
    let db = build();
    let out_csv = db.dir.join("stats.csv");
    let out_json = db.dir.join("stats.json");
    let csv_arg = out_csv.to_str().unwrap();
    let period = ["--from", "2026-03-01", "--to", "2026-04-30"];

    let said = ok_at(
        &db.path,
        EXPORT_AT,
        &[&["stats", "export"][..], &period, &["--out", csv_arg]].concat(),
    );
    assert!(said.contains("wrote 5 tables"), "{said}");
    let csv = std::fs::read_to_string(&out_csv).unwrap();
    let expected = expected_tables("2026-03", "2026-04");
    check_csv(&csv, &expected);
    check_anonymous(&csv, &db.references);

    // `--out -` writes the same to standard output.
    let stdout = ok_at(
        &db.path,
        EXPORT_AT,
        &[&["stats", "export"][..], &period, &["--out", "-"]].concat(),
    );
    assert_eq!(stdout, csv);

    // An existing file is kept unless --force.
    let again = run_at(
        &db.path,
        EXPORT_AT,
        &[&["stats", "export"][..], &period, &["--out", csv_arg]].concat(),
    );
    assert_eq!(code(&again), 1);
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&out_csv).unwrap(), csv);

    // JSON: the same cells.
    ok_at(
        &db.path,
        EXPORT_AT,
        &[
            &["stats", "export"][..],
            &period,
            &["--format", "json", "--out", out_json.to_str().unwrap()],
        ]
        .concat(),
    );
    let json_text = std::fs::read_to_string(&out_json).unwrap();
    check_anonymous(&json_text, &db.references);
    let json: serde_json::Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(json["k"], 5);
    assert_eq!(json["period"], "month");
    let table = |id: &str| {
        json["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap()
            .clone()
    };
    let milestones = table("days_to_milestones");
    let g1 = milestones["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["pack"] == V110 && r["period"] == "2026-04")
        .unwrap();
    assert_eq!(g1["cells"], serde_json::json!([6, 8.5, 5, 4.0, "<5", "<5"]));
    let online = table("cases_by_online_element");
    assert_eq!(
        online["rows"][0]["cells"],
        serde_json::json!(["<5", "<5", "<5"])
    );
    assert_eq!(
        online["rows"][1]["cells"],
        serde_json::json!(["x", "<5", "x"])
    );
    assert_eq!(online["rows"][3]["cells"], serde_json::json!([15, 8, 23]));

    // By quarter: the same groups, labelled by quarter.
    let quarterly = ok_at(
        &db.path,
        EXPORT_AT,
        &[
            &["stats", "export"][..],
            &period,
            &["--period", "quarter", "--out", "-"],
        ]
        .concat(),
    );
    check_csv(&quarterly, &expected_tables("2026-Q1", "2026-Q2"));
    check_anonymous(&quarterly, &db.references);

    // The engine's feed, as the desktop export screen reads it.
    let engine = Engine::open(&db.path, t(EXPORT_AT)).unwrap();
    let from = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2026, 4, 30).unwrap();
    let cases = engine.stats_cases(from, to).unwrap();
    assert_eq!(cases.len(), 23, "training and out-of-period cases left out");
    assert!(cases.iter().all(|c| c.pack == V100 || c.pack == V110));
    let first = cases
        .iter()
        .find(|c| c.opened_at == t("2026-04-01T09:00:00Z"))
        .unwrap();
    assert_eq!(first.facts["online_element"], vec!["yes"]);
    assert_eq!(first.facts["age_band"], vec!["12-17"]);
    assert_eq!(first.facts["abuse_types"], vec!["grooming"]);
    assert_eq!(
        first.milestones.forensic_interview,
        Some(t("2026-04-04T09:00:00Z"))
    );
    assert_eq!(
        first.milestones.medical_examination,
        Some(t("2026-04-03T09:00:00Z"))
    );
    assert_eq!(
        first.milestones.therapy_start,
        Some(t("2026-04-02T09:00:00Z"))
    );
    let police: Vec<_> = first.steps.iter().filter(|s| s.role == "police").collect();
    assert!(police
        .iter()
        .any(|s| s.due == Some(t("2026-04-15T09:00:00Z"))
            && s.done_at == Some(t("2026-04-04T09:00:00Z"))));
    let last = cases
        .iter()
        .find(|c| c.opened_at == t("2026-04-30T23:30:00Z"));
    assert!(last.is_some(), "--to is inclusive");
    assert_eq!(
        cases
            .iter()
            .filter(|c| c.milestones.forensic_interview.is_some())
            .count(),
        11
    );

    let options = StatsOptions::new(from, to, t(EXPORT_AT));
    let report = engine.stats_export(&options).unwrap();
    assert_eq!(report.to_csv(), csv, "the engine and the command agree");
}

#[test]
fn refusals_and_usage_errors_have_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("caseway.sqlite3");
    let out = dir.path().join("out.csv");
    let out_arg = out.to_str().unwrap();
    let export = |extra: &[&str]| {
        run_at(
            &db,
            EXPORT_AT,
            &[&["stats", "export", "--out", out_arg][..], extra].concat(),
        )
    };

    let o = export(&["--from", "2026-05-01", "--to", "2026-04-01"]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--from must not be after --to"));
    let o = export(&["--from", "2026-04-01", "--to", "2026-04-30", "--k", "0"]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("k = 0"));
    let o = export(&["--from", "2026-04-31", "--to", "2026-05-01"]);
    assert_eq!(code(&o), 2, "not a date");
    let o = export(&[
        "--from",
        "2026-04-01",
        "--to",
        "2026-04-30",
        "--period",
        "week",
    ]);
    assert_eq!(code(&o), 2);
    assert!(!out.exists(), "nothing written after a refusal");

    // An empty database gives the tables with their total rows only.
    let o = export(&["--from", "2026-04-01", "--to", "2026-04-30"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(&out).unwrap();
    let cells = parse_csv(&csv);
    assert!(cells.keys().all(|(_, pack, _, _)| pack == "total"), "{csv}");
    assert_eq!(
        cells.get(&(
            "cases_by_online_element".into(),
            "total".into(),
            "total".into(),
            "total".into()
        )),
        Some(&"0".to_string())
    );
    // --force replaces it; a directory that does not exist is an I/O error.
    let o = export(&["--from", "2026-04-01", "--to", "2026-04-30", "--force"]);
    assert_eq!(code(&o), 0);
    let missing = dir.path().join("no/such/dir/out.csv");
    let o = run_at(
        &db,
        EXPORT_AT,
        &[
            "stats",
            "export",
            "--from",
            "2026-04-01",
            "--to",
            "2026-04-30",
            "--out",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 2);
}

#[test]
fn the_training_database_is_not_exported() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("caseway.sqlite3");
    let engine = caseway::training::open_training(&real, t(EXPORT_AT)).unwrap();
    let from = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    let err = engine
        .stats_export(&StatsOptions::new(from, to, t(EXPORT_AT)))
        .unwrap_err();
    assert!(
        matches!(err, caseway::case::CaseError::TrainingStats(_)),
        "{err}"
    );
    assert!(err.is_refusal());

    let training_path = caseway::training::training_db_path(&real).unwrap();
    let out = dir.path().join("out.csv");
    let o = run_at(
        &training_path,
        EXPORT_AT,
        &[
            "stats",
            "export",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!out.exists());
}
