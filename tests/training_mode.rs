//! Training mode on real files: the training database next to the real one, its marker,
//! reset, generated cases, and the scenario walkthroughs (forward, back, goto).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Duration, Utc};

use caseway::case::{CaseView, Engine, NewCase, StepState};
use caseway::pack::{FactValue, Facts};
use caseway::training::{
    self, DatabaseKind, FactsChoice, GenerateRequest, OpenedAgo, Scenario, ScenarioError,
    TrainingError, Walkthrough,
};

const PACK: &str = "barnahus-online-csa@1.1.0";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A real database with one open case, closed again (no engine left open on it).
fn real_db(dir: &Path) -> PathBuf {
    let path = dir.join("caseway.sqlite3");
    let mut engine = Engine::open(&path, now()).unwrap();
    let mut facts = Facts::new();
    facts.insert("online_element".into(), FactValue::Bool(true));
    engine
        .open_case(
            &NewCase {
                pack: PACK.into(),
                facts,
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    drop(engine);
    path
}

/// The bytes and modification time of a file and whether its -wal and -shm files exist.
fn fingerprint(path: &Path) -> (Vec<u8>, std::time::SystemTime, bool, bool) {
    let side = |s: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(s);
        PathBuf::from(p).exists()
    };
    (
        std::fs::read(path).unwrap(),
        std::fs::metadata(path).unwrap().modified().unwrap(),
        side("-wal"),
        side("-shm"),
    )
}

fn shipped(id: &str) -> Scenario {
    training::shipped_scenarios()
        .unwrap()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("shipped scenario {id}"))
}

/// What the checklist shows, without the parts that differ between two cases made from the
/// same beats (the reference and the audit sequence numbers).
fn checklist(v: &CaseView) -> String {
    let mut out = format!(
        "{} {:?} {}\n",
        v.pack.key,
        v.facts,
        v.opened_at.to_rfc3339()
    );
    for s in &v.steps {
        out.push_str(&format!(
            "{} {} {} {:?} {:?} {} {} {:?} {:?} {:?} {:?}\n",
            s.id,
            s.state,
            s.applicable,
            s.reason,
            s.due,
            s.overdue,
            s.due_soon,
            s.blocked_by,
            s.record,
            s.changed_at,
            s.finished_at
        ));
    }
    for (role, actions) in &v.next_actions {
        let steps: Vec<&str> = actions.iter().map(|a| a.step.as_str()).collect();
        out.push_str(&format!("next {role}: {steps:?}\n"));
    }
    out
}

fn bin(real: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_caseway"))
        .arg("--db")
        .arg(real)
        .args(args)
        .env_remove("CASEWAY_DB")
        .env("CASEWAY_NOW", "2026-11-20T09:00:00Z")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the caseway binary runs")
}

#[test]
fn training_path_is_next_to_the_real_database_and_never_the_real_one() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("data").join("caseway.sqlite3");
    assert_eq!(
        training::training_db_path(&real).unwrap(),
        dir.path().join("data").join(training::TRAINING_DB_FILE)
    );
    let clash = dir.path().join(training::TRAINING_DB_FILE);
    assert!(matches!(
        training::training_db_path(&clash),
        Err(TrainingError::SamePath(_))
    ));
    assert!(matches!(
        training::open_training(&clash, now()),
        Err(TrainingError::SamePath(_))
    ));
    assert!(
        !clash.exists(),
        "a refused path must not be created as a file"
    );
}

#[test]
fn training_actions_never_touch_the_real_database() {
    let dir = tempfile::tempdir().unwrap();
    let real = real_db(dir.path());
    let before = fingerprint(&real);
    std::thread::sleep(std::time::Duration::from_millis(20));

    // Library: open, generate, walk forward and back, reset.
    let mut engine = training::open_training(&real, now()).unwrap();
    assert_ne!(engine.store().path(), real.as_path());
    let made = training::generate_cases(
        &mut engine,
        &GenerateRequest::random("barnahus-online-csa", 5, 11),
        now(),
    )
    .unwrap();
    assert_eq!(made.len(), 5);
    let mut walk =
        Walkthrough::start(&mut engine, shipped("sextortion-image-removal"), now()).unwrap();
    walk.goto(&mut engine, 6).unwrap();
    walk.back(&mut engine).unwrap();
    drop(engine);
    // The command line: every training command.
    for args in [
        vec!["training", "path"],
        vec![
            "training",
            "generate",
            "--pack",
            PACK,
            "--count",
            "3",
            "--random-seed",
            "5",
        ],
        vec!["training", "scenario", "list"],
        vec!["training", "scenario", "check", "grooming-contact-72h"],
        vec![
            "training",
            "scenario",
            "run",
            "grooming-contact-72h",
            "--to",
            "4",
        ],
    ] {
        let out = bin(&real, &args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = bin(&real, &["training", "reset"]);
    assert!(out.status.success());
    let removed = training::reset_training(&real).unwrap();
    assert!(removed.is_empty(), "the CLI reset already removed it");

    let after = fingerprint(&real);
    assert!(
        before.0 == after.0,
        "the real database file changed during training actions"
    );
    assert_eq!(before.1, after.1, "the real database's mtime changed");
    assert_eq!(
        (before.2, before.3),
        (after.2, after.3),
        "-wal/-shm appeared"
    );
    // And the real database still has exactly its one case.
    let engine = Engine::open(&real, now()).unwrap();
    assert_eq!(
        engine.case_list(&Default::default(), now()).unwrap().len(),
        1
    );
}

#[test]
fn reset_removes_only_the_marked_training_file() {
    let dir = tempfile::tempdir().unwrap();
    let real = real_db(dir.path());
    let other = dir.path().join("notes.txt");
    std::fs::write(&other, "keep me").unwrap();
    let path = training::training_db_path(&real).unwrap();

    let engine = training::open_training(&real, now()).unwrap();
    assert!(training::is_training(&engine).unwrap());
    drop(engine);
    assert_eq!(
        training::database_kind(&path).unwrap(),
        DatabaseKind::Training
    );
    assert_eq!(training::database_kind(&real).unwrap(), DatabaseKind::Real);
    assert!(matches!(
        training::ensure_real_database(&path),
        Err(TrainingError::IsTraining(_))
    ));
    training::ensure_real_database(&real).unwrap();

    let removed = training::reset_training(&real).unwrap();
    assert!(removed.contains(&path), "removed: {removed:?}");
    assert!(!path.exists());
    assert!(real.exists() && other.exists());
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep me");

    // A real database sitting at the training path is neither used nor deleted.
    std::fs::copy(&real, &path).unwrap();
    let copy = std::fs::read(&path).unwrap();
    assert!(matches!(
        training::open_training(&real, now()),
        Err(TrainingError::NotTraining(_))
    ));
    assert!(matches!(
        training::reset_training(&real),
        Err(TrainingError::NotTraining(_))
    ));
    let out = bin(&real, &["training", "reset"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a training database"));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        copy,
        "the file was left untouched"
    );

    // An engine over the real database is refused by every writing training function.
    let mut engine = Engine::open(&real, now()).unwrap();
    let err = training::generate_cases(
        &mut engine,
        &GenerateRequest::random("barnahus-online-csa", 1, 1),
        now(),
    )
    .unwrap_err();
    assert!(matches!(err, TrainingError::NotTraining(_)), "{err}");
    let err = Walkthrough::start(&mut engine, shipped("grooming-contact-72h"), now()).unwrap_err();
    assert!(matches!(err, TrainingError::NotTraining(_)), "{err}");
}

#[test]
fn generated_cases_follow_the_request_and_the_dependencies() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("caseway.sqlite3");
    let mut engine = training::open_training(&real, now()).unwrap();
    let mut given = Facts::new();
    given.insert("online_element".into(), FactValue::Bool(true));
    given.insert(
        "abuse_types".into(),
        FactValue::Multi(vec!["grooming".into(), "contact".into()]),
    );
    given.insert("hours_since_contact_abuse".into(), FactValue::Number(10.0));
    let request = GenerateRequest {
        pack: PACK.into(),
        count: 3,
        facts: FactsChoice::Given(given.clone()),
        opened_hours_ago: OpenedAgo::Each(vec![2, 48, 400]),
        advance: 0.0,
        seed: 3,
    };
    let made = training::generate_cases(&mut engine, &request, now()).unwrap();
    assert_eq!(made.len(), 3);
    let hours: Vec<i64> = made
        .iter()
        .map(|c| (now() - c.opened_at).num_hours())
        .collect();
    assert_eq!(hours, vec![2, 48, 400]);
    for c in &made {
        assert!(c.done.is_empty() && c.in_progress.is_none());
        let view = engine.case_view(&c.reference, now()).unwrap();
        assert_eq!(view.facts, given);
        let step = |id: &str| view.steps.iter().find(|s| s.id == id).unwrap().clone();
        let opened = (now() - c.opened_at).num_hours();
        // The protection assessment is due 24 hours after opening.
        assert_eq!(step("protection-assessment").overdue, opened > 24);
        // The acute examination's 72 hours started 10 hours before opening.
        let acute = step("acute-forensic-examination");
        assert_eq!(
            acute.due,
            Some(c.opened_at - Duration::hours(10) + Duration::hours(72))
        );
        assert_eq!(acute.overdue, opened > 62);
    }

    // Random facts with progress: every finished step comes after the steps it waits for,
    // and the same seed gives the same cases.
    let request = GenerateRequest {
        advance: 0.5,
        ..GenerateRequest::random(PACK, 6, 42)
    };
    let first = training::generate_cases(&mut engine, &request, now()).unwrap();
    let pack = engine.pack(PACK).unwrap();
    for c in &first {
        let view = engine.case_view(&c.reference, now()).unwrap();
        let applicable = view.steps.iter().filter(|s| s.applicable).count();
        assert_eq!(
            c.done.len(),
            (0.5 * applicable as f64).round() as usize,
            "{c:?}"
        );
        for (i, id) in c.done.iter().enumerate() {
            let step = pack.step(id).unwrap();
            for dep in &step.after {
                let dep_applies = pack.step(dep).unwrap().applies(&c.facts);
                assert!(
                    !dep_applies || c.done[..i].contains(dep),
                    "{id} done before {dep} in {c:?}"
                );
            }
            let s = view.steps.iter().find(|s| &s.id == id).unwrap();
            assert_eq!(s.state, StepState::Done);
            assert!(s.finished_at.unwrap() >= c.opened_at && s.finished_at.unwrap() <= now());
        }
    }
    let dir2 = tempfile::tempdir().unwrap();
    let mut engine2 = training::open_training(&dir2.path().join("caseway.sqlite3"), now()).unwrap();
    let second = training::generate_cases(&mut engine2, &request, now()).unwrap();
    let strip = |v: &[training::GeneratedCase]| -> Vec<(Facts, Vec<String>, DateTime<Utc>)> {
        v.iter()
            .map(|c| (c.facts.clone(), c.done.clone(), c.opened_at))
            .collect()
    };
    assert_eq!(strip(&first), strip(&second));

    // Refused requests write nothing.
    let cases_before = engine.case_list(&Default::default(), now()).unwrap().len();
    for bad in [
        GenerateRequest::random(PACK, 0, 1),
        GenerateRequest {
            advance: 1.5,
            ..GenerateRequest::random(PACK, 1, 1)
        },
        GenerateRequest {
            facts: FactsChoice::Given(
                [("age_band".to_string(), FactValue::Choice("99".into()))]
                    .into_iter()
                    .collect(),
            ),
            ..GenerateRequest::random(PACK, 1, 1)
        },
    ] {
        assert!(training::generate_cases(&mut engine, &bad, now()).is_err());
    }
    assert_eq!(
        engine.case_list(&Default::default(), now()).unwrap().len(),
        cases_before
    );
}

#[test]
fn shipped_scenarios_validate_and_run_to_the_end() {
    let all = training::shipped_scenarios().unwrap();
    assert_eq!(all.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let mut engine = training::open_training(&dir.path().join("caseway.sqlite3"), now()).unwrap();
    for s in &all {
        assert!(
            (8..=15).contains(&s.beats.len()),
            "{}: {} beats",
            s.id,
            s.beats.len()
        );
        for b in &s.beats {
            for lang in ["en", "sv"] {
                assert!(
                    b.note.0.get(lang).is_some_and(|t| !t.trim().is_empty()),
                    "{} beat {} has no {lang} note",
                    s.id,
                    b.number
                );
            }
        }
        s.check(&engine.pack(&s.pack).unwrap()).unwrap();
        let mut walk = Walkthrough::start(&mut engine, s.clone(), now()).unwrap();
        let mut n = 0;
        while walk.forward(&mut engine).unwrap() {
            n += 1;
            assert_eq!(walk.position(), n);
        }
        assert_eq!(n, s.beats.len());
        assert!(!walk.forward(&mut engine).unwrap(), "nothing after the end");
    }
}

#[test]
fn sextortion_scenario_shows_the_image_removal_branch() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = training::open_training(&dir.path().join("caseway.sqlite3"), now()).unwrap();
    let s = shipped("sextortion-image-removal");
    let opened = now() - Duration::hours(i64::from(s.opened_hours_ago));
    let mut walk = Walkthrough::start(&mut engine, s.clone(), now()).unwrap();
    let step = |v: &CaseView, id: &str| v.steps.iter().find(|s| s.id == id).unwrap().clone();
    let facts_beat = s
        .beats
        .iter()
        .position(|b| b.facts.contains_key("images_shared_online"))
        .unwrap()
        + 1;
    walk.goto(&mut engine, facts_beat - 1).unwrap();
    let v = walk.view(&engine).unwrap();
    assert!(!step(&v, "help-child-remove-images").applicable);
    assert!(!step(&v, "request-image-removal").applicable);
    walk.forward(&mut engine).unwrap();
    assert_eq!(walk.highlighted_step(), Some("help-child-remove-images"));
    let v = walk.view(&engine).unwrap();
    let help = step(&v, "help-child-remove-images");
    assert!(help.applicable);
    assert_eq!(help.blocked_by, vec!["preservation-request".to_string()]);

    walk.goto(&mut engine, s.beats.len()).unwrap();
    let v = walk.view(&engine).unwrap();
    assert_eq!(walk.clock(), opened + Duration::hours(70));
    let help = step(&v, "help-child-remove-images");
    assert_eq!(help.state, StepState::Done);
    assert_eq!(help.record["removal_service"], "take_it_down");
    assert_eq!(step(&v, "request-image-removal").state, StepState::Done);
    let blocked = step(&v, "identify-offender-accounts");
    assert_eq!(blocked.state, StepState::Blocked);
    assert!(blocked.reason.is_some());
    assert!(walk.note("sv").contains("blockerat"));
    assert!(walk.note("en").contains("blocked"));
}

#[test]
fn grooming_scenario_runs_the_72_hour_clock() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = training::open_training(&dir.path().join("caseway.sqlite3"), now()).unwrap();
    let s = shipped("grooming-contact-72h");
    let mut walk = Walkthrough::start(&mut engine, s.clone(), now()).unwrap();
    let opened = walk.opened_at();
    let acute_of = |v: &CaseView| {
        v.steps
            .iter()
            .find(|s| s.id == "acute-forensic-examination")
            .unwrap()
            .clone()
    };
    let v = walk.view(&engine).unwrap();
    let acute = acute_of(&v);
    assert!(acute.applicable);
    assert_eq!(acute.due, Some(opened + Duration::hours(42)));
    assert!(!acute.due_soon && !acute.overdue);
    // The beat that points at the clock: less than 24 hours left.
    let warn = s
        .beats
        .iter()
        .find(|b| b.at_hours == 20)
        .map(|b| b.number)
        .unwrap();
    walk.goto(&mut engine, warn).unwrap();
    let acute = acute_of(&walk.view(&engine).unwrap());
    assert!(acute.due_soon && !acute.overdue);
    assert_eq!(walk.highlighted_step(), Some("acute-forensic-examination"));
    walk.forward(&mut engine).unwrap();
    let acute = acute_of(&walk.view(&engine).unwrap());
    assert_eq!(acute.state, StepState::Done);
    assert_eq!(acute.record["samples_taken"], true);
}

#[test]
fn going_back_gives_exactly_the_state_of_running_to_that_beat() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = training::open_training(&dir.path().join("caseway.sqlite3"), now()).unwrap();
    for id in ["sextortion-image-removal", "grooming-contact-72h"] {
        let s = shipped(id);
        let len = s.beats.len();
        // Every state reached directly.
        let mut direct = Vec::new();
        for n in 0..=len {
            let mut w = Walkthrough::start(&mut engine, s.clone(), now()).unwrap();
            w.goto(&mut engine, n).unwrap();
            direct.push(checklist(&w.view(&engine).unwrap()));
        }
        assert_ne!(direct[0], direct[len], "the beats change the checklist");
        // Forward to the end, then back one beat at a time.
        let mut walk = Walkthrough::start(&mut engine, s.clone(), now()).unwrap();
        walk.goto(&mut engine, len).unwrap();
        assert_eq!(checklist(&walk.view(&engine).unwrap()), direct[len]);
        for n in (0..len).rev() {
            let old = walk.reference().to_string();
            assert!(walk.back(&mut engine).unwrap());
            assert_eq!(walk.position(), n);
            assert_eq!(
                checklist(&walk.view(&engine).unwrap()),
                direct[n],
                "{id}: back to beat {n} differs from running to beat {n}"
            );
            // The replaced case is closed, not deleted.
            let replaced = engine.case_view(&old, now()).unwrap();
            assert_eq!(replaced.status, caseway::case::CaseStatus::Closed);
        }
        assert!(!walk.back(&mut engine).unwrap(), "nothing before beat 0");
        // Jumps both ways.
        walk.goto(&mut engine, len / 2).unwrap();
        walk.goto(&mut engine, 2).unwrap();
        assert_eq!(checklist(&walk.view(&engine).unwrap()), direct[2]);
        assert!(matches!(
            walk.goto(&mut engine, len + 1),
            Err(TrainingError::Invalid(_))
        ));
    }
    assert!(engine.check().unwrap().is_ok(), "audit trail still sound");
}

fn parse_err(source: &str) -> (usize, String) {
    match training::parse_scenario("broken.toml", source).and_then(|s| {
        let pack = caseway::pack::shipped()
            .into_iter()
            .find(|p| p.file_name == "barnahus-online-csa-1.1.0.toml")
            .map(|p| {
                caseway::pack::parse_pack(p.file_name, p.source)
                    .unwrap()
                    .pack
            })
            .unwrap();
        s.check(&pack)
    }) {
        Err(ScenarioError::Invalid {
            file,
            line,
            message,
            ..
        }) => {
            assert_eq!(file, "broken.toml");
            (line, message)
        }
        other => panic!("expected a located error, got {other:?}"),
    }
}

const HEAD: &str = r#"[scenario]
id = "broken"
pack = "barnahus-online-csa@1.1.0"
opened_hours_ago = 10
title = { en = "Broken", sv = "Trasig" }

[facts]
online_element = true
"#;

#[test]
fn broken_scenarios_give_located_errors() {
    let cases: Vec<(String, usize, &str)> = vec![
        // unknown field, refused with its line
        (
            format!("{HEAD}\n[[beat]]\nnote = \"x\"\nstpe = \"register-report\"\n"),
            12,
            "unknown field `stpe`",
        ),
        // unknown step, with a suggestion
        (
            format!("{HEAD}\n[[beat]]\nnote = \"x\"\nstep = \"register-reprot\"\nstate = \"done\"\n"),
            12,
            "did you mean `register-report`",
        ),
        // done before the steps it comes after
        (
            format!("{HEAD}\n[[beat]]\nnote = \"x\"\nstep = \"confirm-case-facts\"\nstate = \"done\"\n"),
            12,
            "cannot be done before register-report (todo)",
        ),
        // an option the fact does not have
        (
            format!("{HEAD}age_band = \"13-19\"\n\n[[beat]]\nnote = \"x\"\n"),
            9,
            "has no option `13-19`",
        ),
        // wrong type of fact value
        (
            format!("{HEAD}abuse_types = \"grooming\"\n\n[[beat]]\nnote = \"x\"\n"),
            9,
            "write a list of option ids",
        ),
        // unknown state
        (
            format!("{HEAD}\n[[beat]]\nnote = \"x\"\nstep = \"register-report\"\nstate = \"finished\"\n"),
            13,
            "unknown state `finished`",
        ),
        // a step that does not apply with the facts of the case
        (
            format!("{HEAD}\n[[beat]]\nnote = \"x\"\nstep = \"request-image-removal\"\nstate = \"in-progress\"\n"),
            12,
            "does not apply",
        ),
        // na without a reason
        (
            format!("{HEAD}\n[[beat]]\nnote = \"x\"\nstep = \"register-report\"\nstate = \"na\"\n"),
            12,
            "needs a reason",
        ),
        // time going backwards
        (
            format!("{HEAD}\n[[beat]]\nnote = \"x\"\nat_hours = 5\n\n[[beat]]\nnote = \"y\"\nat_hours = 2\n"),
            16,
            "before the previous beat",
        ),
        // syntax error
        (
            format!("{HEAD}\n[[beat]]\nnote = \"x\nstep = 1\n"),
            11,
            "see protocols/scenarios/README.md",
        ),
        // a pack without a version
        (
            HEAD.replace("@1.1.0", "") + "\n[[beat]]\nnote = \"x\"\n",
            3,
            "must be ID@VERSION",
        ),
    ];
    for (source, line, needle) in cases {
        let (got_line, message) = parse_err(&source);
        assert!(
            message.contains(needle),
            "expected `{needle}` in `{message}` for:\n{source}"
        );
        assert_eq!(got_line, line, "line of `{message}` in:\n{source}");
    }
    // The rendered error names file, line and column.
    let e = training::parse_scenario("x.toml", "[scenario]\nid = 3\n").unwrap_err();
    assert!(e.to_string().starts_with("x.toml:2:"), "{e}");
}

#[test]
fn cli_runs_and_checks_scenario_files() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("caseway.sqlite3");
    let training_path = training::training_db_path(&real).unwrap();
    let out = bin(
        &real,
        &[
            "training",
            "scenario",
            "run",
            "protocols/scenarios/sextortion-image-removal.toml",
            "--to",
            "6",
            "--lang",
            "sv",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(&format!("training database: {}", training_path.display())));
    assert!(text.contains("beat 6/15"), "{text}");
    assert!(text.contains(">>[  ] help-child-remove-images"), "{text}");
    assert!(text.contains("Ny information"), "{text}");
    assert!(
        !real.exists(),
        "the real database is never created by training"
    );

    let json = bin(
        &real,
        &[
            "training",
            "scenario",
            "run",
            "grooming-contact-72h",
            "--to",
            "0",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["position"], 0);
    assert_eq!(v["beats"], 15);
    assert_eq!(v["case"]["pack"]["key"], PACK);

    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        format!(
            "{HEAD}\n[[beat]]\nnote = \"x\"\nstep = \"confirm-case-facts\"\nstate = \"done\"\n"
        ),
    )
    .unwrap();
    let out = bin(
        &real,
        &["training", "scenario", "check", broken.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:12:", broken.display())), "{err}");

    let out = bin(
        &real,
        &[
            "training",
            "generate",
            "--pack",
            "barnahus-online-csa",
            "--count",
            "2",
            "--fact",
            "online_element=true",
            "--opened-hours-ago",
            "30,300",
            "--advance",
            "0",
            "--format",
            "json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cases.len(), 2);
    let facts: BTreeMap<String, serde_json::Value> =
        serde_json::from_value(cases[1]["facts"].clone()).unwrap();
    assert_eq!(facts.len(), 1, "given facts only: {facts:?}");
    assert!(!real.exists());
}

#[test]
fn unsigned_packs_are_imported_into_training_only() {
    let dir = tempfile::tempdir().unwrap();
    let real = real_db(dir.path());
    let source = std::fs::read_to_string("protocols/barnahus-online-csa-1.1.0.toml")
        .unwrap()
        .replace("version = \"1.1.0\"\nstatus", "version = \"1.2.0\"\nstatus");
    let mut engine = Engine::open(&real, now()).unwrap();
    assert!(engine
        .import_pack("p.toml", &source, None, false, now())
        .is_err());
    assert!(matches!(
        training::import_training_pack(&mut engine, "p.toml", &source, None, now()),
        Err(TrainingError::NotTraining(_))
    ));
    assert!(!engine
        .list_packs()
        .unwrap()
        .iter()
        .any(|p| p.key == "barnahus-online-csa@1.2.0"));
    drop(engine);

    let mut engine = training::open_training(&real, now()).unwrap();
    let out = training::import_training_pack(&mut engine, "p.toml", &source, None, now()).unwrap();
    assert_eq!(out.key, "barnahus-online-csa@1.2.0");
    assert_eq!(out.origin, caseway::store::PackOrigin::Unsigned);
    let made = training::generate_cases(
        &mut engine,
        &GenerateRequest::random("barnahus-online-csa@1.2.0", 1, 9),
        now(),
    )
    .unwrap();
    let view = engine.case_view(&made[0].reference, now()).unwrap();
    assert!(
        view.training,
        "a case on an unsigned pack is a training case"
    );
}

#[test]
fn a_foreign_file_at_the_training_path_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("caseway.sqlite3");
    let path = training::training_db_path(&real).unwrap();
    std::fs::write(&path, b"not a database, but someone's file").unwrap();
    assert!(matches!(
        training::open_training(&real, now()),
        Err(TrainingError::Probe { .. })
    ));
    assert!(matches!(
        training::reset_training(&real),
        Err(TrainingError::Probe { .. })
    ));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"not a database, but someone's file"
    );
}

#[test]
fn truncated_scenarios_never_panic_and_errors_stay_inside_the_file() {
    let pack = caseway::pack::shipped()
        .into_iter()
        .find(|p| p.file_name == "barnahus-online-csa-1.1.0.toml")
        .map(|p| {
            caseway::pack::parse_pack(p.file_name, p.source)
                .unwrap()
                .pack
        })
        .unwrap();
    let mut errors = 0;
    for (file, source) in training::SHIPPED_SCENARIOS {
        let lines = source.lines().count() + 1;
        for cut in (0..source.len()).step_by(7) {
            let Some(part) = source.get(..cut) else {
                continue;
            };
            match training::parse_scenario(file, part).and_then(|s| s.check(&pack)) {
                Ok(()) => {}
                Err(ScenarioError::Invalid { line, column, .. }) => {
                    errors += 1;
                    assert!(line >= 1 && line <= lines && column >= 1, "{file}@{cut}");
                }
                Err(e) => panic!("unexpected error kind: {e}"),
            }
        }
    }
    assert!(errors > 100, "truncations are mostly refused ({errors})");
}

#[test]
fn the_training_database_is_never_opened_as_the_real_one() {
    let dir = tempfile::tempdir().unwrap();
    let real = real_db(dir.path());
    let out = bin(
        &real,
        &[
            "training",
            "generate",
            "--pack",
            "barnahus-online-csa",
            "--count",
            "1",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let training = training::training_db_path(&real).unwrap();
    let before = fingerprint(&training);

    let listed = Command::new(env!("CARGO_BIN_EXE_caseway"))
        .arg("--db")
        .arg(&training)
        .args(["case", "list"])
        .output()
        .unwrap();
    assert_eq!(
        listed.status.code(),
        Some(1),
        "opening the training file as real is refused"
    );
    assert!(String::from_utf8_lossy(&listed.stderr).contains("training database"));
    assert_eq!(
        fingerprint(&training).0,
        before.0,
        "and the file is left untouched"
    );
}
