//! The case engine's rules, on real SQLite files, with an injected clock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use caseway::case::{
    Actor, CaseError, CaseFilter, CaseStatus, Engine, NewCase, StepChangeRequest, StepState,
};
use caseway::pack::{FactValue, Facts, PackStatus};
use caseway::store::PackOrigin;
use chrono::{DateTime, Duration, TimeZone, Utc};

const RULES_1: &str = include_str!("fixtures/db/rules-1.0.0.toml");
const RULES_2: &str = include_str!("fixtures/db/rules-2.0.0.toml");

/// Monday 2 March 2026, 09:00 UTC.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn setup() -> (tempfile::TempDir, PathBuf, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("caseway.sqlite3");
    let mut engine = Engine::open(&path, t0()).unwrap();
    engine
        .import_pack("rules-1.0.0.toml", RULES_1, None, true, t0())
        .unwrap();
    (dir, path, engine)
}

fn facts(pairs: &[(&str, FactValue)]) -> Facts {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn open(engine: &mut Engine, f: Facts) -> String {
    engine
        .open_case(
            &NewCase {
                pack: "test-rules".into(),
                facts: f,
                label: None,
                actor: Actor::role("coordinator"),
            },
            t0(),
        )
        .unwrap()
        .reference
}

fn change(step: &str, state: StepState, role: &str, reason: Option<&str>) -> StepChangeRequest {
    StepChangeRequest {
        step: step.into(),
        state,
        role: role.into(),
        initials: Some("AB".into()),
        reason: reason.map(str::to_string),
        note: None,
        record: BTreeMap::new(),
    }
}

fn online_contact() -> Facts {
    facts(&[
        ("online", FactValue::Bool(true)),
        ("types", FactValue::Multi(vec!["contact".into()])),
        ("hours_since", FactValue::Number(10.0)),
    ])
}

#[test]
fn a_case_is_pinned_to_its_pack_and_shows_which_steps_apply() {
    let (_d, _p, mut engine) = setup();
    let reference = open(
        &mut engine,
        facts(&[
            ("online", FactValue::Bool(true)),
            ("types", FactValue::Multi(vec!["grooming".into()])),
        ]),
    );
    assert!(
        caseway::privacy::is_reference(&reference),
        "generated reference {reference} has the pseudonymous format"
    );
    let view = engine.case_view(&reference, t0()).unwrap();
    assert_eq!(view.pack.key, "test-rules@1.0.0");
    assert_eq!(view.status, CaseStatus::Open);
    assert!(
        view.training,
        "a pack imported unsigned gives training cases"
    );
    let seize = view.steps.iter().find(|s| s.id == "seize").unwrap();
    assert!(seize.applicable, "online=true makes `seize` apply");
    let forensic = view.steps.iter().find(|s| s.id == "forensic").unwrap();
    assert!(
        !forensic.applicable,
        "no contact abuse: `forensic` does not apply"
    );
    assert_eq!(forensic.state, StepState::NotApplicable);
    assert_eq!(view.unanswered_facts, vec!["age", "hours_since"]);

    // A step that does not apply cannot be changed.
    let err = engine
        .set_step_state(
            &reference,
            &change("forensic", StepState::Done, "police", None),
            t0(),
        )
        .unwrap_err();
    assert!(matches!(err, CaseError::NotApplicable { .. }), "{err}");
}

#[test]
fn references_are_unique_and_labels_are_checked_for_personal_data() {
    let (_d, _p, mut engine) = setup();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..30 {
        assert!(seen.insert(open(&mut engine, Facts::new())));
    }
    let err = engine
        .open_case(
            &NewCase {
                pack: "test-rules".into(),
                facts: Facts::new(),
                label: Some("mother: anna.berg@example.org".into()),
                actor: Actor::default(),
            },
            t0(),
        )
        .unwrap_err();
    assert!(matches!(err, CaseError::Pii(_)), "{err}");
    assert!(err.is_refusal());
    assert_eq!(
        engine
            .case_list(&CaseFilter::default(), t0())
            .unwrap()
            .len(),
        30
    );
}

#[test]
fn invalid_facts_are_refused_with_the_allowed_values() {
    let (_d, _p, mut engine) = setup();
    let pack = engine.pack("test-rules@1.0.0").unwrap();
    let err = Engine::parse_facts(&pack, &[("age".into(), "7-9".into())]).unwrap_err();
    assert!(err.to_string().contains("0-5"), "{err}");
    let err = Engine::parse_facts(&pack, &[("colour".into(), "x".into())]).unwrap_err();
    assert!(matches!(err, CaseError::NoFact { .. }), "{err}");
    let parsed =
        Engine::parse_facts(&pack, &[("types".into(), "grooming,contact".into())]).unwrap();
    assert_eq!(
        parsed.get("types"),
        Some(&FactValue::Multi(vec!["grooming".into(), "contact".into()]))
    );
    let err = engine
        .open_case(
            &NewCase {
                pack: "test-rules".into(),
                facts: facts(&[("hours_since", FactValue::Number(5000.0))]),
                label: None,
                actor: Actor::default(),
            },
            t0(),
        )
        .unwrap_err();
    assert!(matches!(err, CaseError::InvalidFact { .. }), "{err}");
}

#[test]
fn only_the_owning_role_or_the_coordinator_changes_a_step() {
    let (_d, _p, mut engine) = setup();
    let r = open(&mut engine, online_contact());
    let err = engine
        .set_step_state(
            &r,
            &change("register", StepState::Done, "social", None),
            t0(),
        )
        .unwrap_err();
    assert!(matches!(err, CaseError::WrongRole { .. }), "{err}");
    let err = engine
        .set_step_state(
            &r,
            &change("register", StepState::Done, "janitor", None),
            t0(),
        )
        .unwrap_err();
    assert!(matches!(err, CaseError::NoRole { .. }), "{err}");
    let v = engine
        .set_step_state(
            &r,
            &change("register", StepState::Done, "police", None),
            t0(),
        )
        .unwrap();
    assert_eq!(v.state, StepState::Done);
    let v = engine
        .set_step_state(
            &r,
            &change("register", StepState::InProgress, "coordinator", None),
            t0(),
        )
        .unwrap();
    assert_eq!(v.state, StepState::InProgress);
}

#[test]
fn not_applicable_and_blocked_need_a_reason() {
    let (_d, _p, mut engine) = setup();
    let r = open(&mut engine, online_contact());
    for state in [StepState::NotApplicable, StepState::Blocked] {
        let err = engine
            .set_step_state(&r, &change("assess", state, "social", None), t0())
            .unwrap_err();
        assert!(matches!(err, CaseError::ReasonRequired { .. }), "{err}");
        let err = engine
            .set_step_state(&r, &change("assess", state, "social", Some("  ")), t0())
            .unwrap_err();
        assert!(matches!(err, CaseError::ReasonRequired { .. }), "{err}");
    }
    let v = engine
        .set_step_state(
            &r,
            &change(
                "assess",
                StepState::Blocked,
                "social",
                Some("waiting for school"),
            ),
            t0(),
        )
        .unwrap();
    assert_eq!(v.reason.as_deref(), Some("waiting for school"));
    let err = engine
        .set_step_state(
            &r,
            &change(
                "assess",
                StepState::Blocked,
                "social",
                Some("waiting for school"),
            ),
            t0(),
        )
        .unwrap_err();
    assert!(matches!(err, CaseError::Unchanged { .. }), "{err}");
}

#[test]
fn a_step_cannot_be_finished_before_its_dependencies() {
    let (_d, _p, mut engine) = setup();
    let r = open(&mut engine, online_contact());
    let err = engine
        .set_step_state(
            &r,
            &change("plan", StepState::Done, "coordinator", None),
            t0(),
        )
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, CaseError::Waiting { .. }), "{msg}");
    assert!(
        msg.contains("register") && msg.contains("assess") && msg.contains("seize"),
        "{msg}"
    );
    // Starting it is allowed; finishing is not.
    engine
        .set_step_state(
            &r,
            &change("plan", StepState::InProgress, "coordinator", None),
            t0(),
        )
        .unwrap();
    engine
        .set_step_state(
            &r,
            &change("register", StepState::Done, "police", None),
            t0(),
        )
        .unwrap();
    engine
        .set_step_state(
            &r,
            &change(
                "assess",
                StepState::NotApplicable,
                "social",
                Some("done elsewhere"),
            ),
            t0(),
        )
        .unwrap();
    let view = engine.case_view(&r, t0()).unwrap();
    let plan = view.steps.iter().find(|s| s.id == "plan").unwrap();
    assert_eq!(plan.blocked_by, vec!["seize"]);
    engine
        .set_step_state(&r, &change("seize", StepState::Done, "police", None), t0())
        .unwrap();
    engine
        .set_step_state(
            &r,
            &change("plan", StepState::Done, "coordinator", None),
            t0(),
        )
        .unwrap();
}

#[test]
fn a_dependency_that_does_not_apply_by_protocol_counts_as_finished() {
    let (_d, _p, mut engine) = setup();
    let r = open(&mut engine, facts(&[("online", FactValue::Bool(false))]));
    engine
        .set_step_state(
            &r,
            &change("register", StepState::Done, "police", None),
            t0(),
        )
        .unwrap();
    engine
        .set_step_state(&r, &change("assess", StepState::Done, "social", None), t0())
        .unwrap();
    // `seize` does not apply (online=false), so `plan` can be finished.
    engine
        .set_step_state(
            &r,
            &change("plan", StepState::Done, "coordinator", None),
            t0(),
        )
        .unwrap();
}

#[test]
fn deadlines_follow_the_pack_and_the_injected_clock() {
    let (_d, _p, mut engine) = setup();
    let r = open(&mut engine, online_contact());
    let view = engine.case_view(&r, t0()).unwrap();
    let step = |v: &caseway::case::CaseView, id: &str| {
        v.steps.iter().find(|s| s.id == id).unwrap().clone()
    };
    // 24h from opened.
    assert_eq!(
        step(&view, "register").due,
        Some(t0() + Duration::hours(24))
    );
    // 2 working days from Monday 09:00: Wednesday 09:00.
    assert_eq!(step(&view, "assess").due, Some(t0() + Duration::days(2)));
    // From a step that is not finished yet: no date yet.
    assert_eq!(step(&view, "seize").due, None);
    // From a number fact read as hours before opening: opened - 10h + 72h.
    assert_eq!(
        step(&view, "forensic").due,
        Some(t0() + Duration::hours(62))
    );
    assert!(!step(&view, "register").overdue);

    // 23 hours later: register is due soon; 25 hours later: overdue.
    let later = engine.case_view(&r, t0() + Duration::hours(23)).unwrap();
    assert!(step(&later, "register").due_soon);
    assert!(!step(&later, "register").overdue);
    let later = engine.case_view(&r, t0() + Duration::hours(25)).unwrap();
    assert!(step(&later, "register").overdue);
    let overdue = engine
        .case_list(
            &CaseFilter {
                overdue_only: true,
                ..Default::default()
            },
            t0() + Duration::hours(25),
        )
        .unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].overdue_steps, 1);
    assert!(engine
        .case_list(
            &CaseFilter {
                overdue_only: true,
                ..Default::default()
            },
            t0()
        )
        .unwrap()
        .is_empty());

    // Finishing register at +30h starts seize's clock: +30h + 3 days.
    let done_at = t0() + Duration::hours(30);
    engine
        .set_step_state(
            &r,
            &change("register", StepState::Done, "police", None),
            done_at,
        )
        .unwrap();
    let view = engine.case_view(&r, done_at).unwrap();
    assert_eq!(step(&view, "seize").due, Some(done_at + Duration::days(3)));
    assert!(
        !step(&view, "register").overdue,
        "a finished step is never overdue"
    );
}

#[test]
fn next_actions_per_role_list_what_can_be_done_now() {
    let (_d, _p, mut engine) = setup();
    let r = open(&mut engine, online_contact());
    let view = engine.case_view(&r, t0()).unwrap();
    let police: Vec<&str> = view.next_actions["police"]
        .iter()
        .map(|a| a.step.as_str())
        .collect();
    // register (due in 24h), forensic (due in 62h), then seize (no date until register is done).
    assert_eq!(police, vec!["register", "forensic", "seize"]);
    assert!(
        !view.next_actions.contains_key("coordinator"),
        "plan waits for others"
    );
    let list = engine
        .case_list(
            &CaseFilter {
                role: Some("coordinator".into()),
                ..Default::default()
            },
            t0(),
        )
        .unwrap();
    assert!(list.is_empty(), "the coordinator has nothing to do yet");
    let list = engine
        .case_list(
            &CaseFilter {
                role: Some("social".into()),
                ..Default::default()
            },
            t0(),
        )
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].next_actions.len(), 1);
    assert_eq!(list[0].next_actions[0].step, "assess");
}

#[test]
fn changing_facts_re_evaluates_which_steps_apply_and_keeps_their_state() {
    let (_d, _p, mut engine) = setup();
    let r = open(&mut engine, online_contact());
    engine
        .set_step_state(
            &r,
            &change("seize", StepState::InProgress, "police", None),
            t0(),
        )
        .unwrap();
    let ch = engine
        .set_facts(
            &r,
            &facts(&[("online", FactValue::Bool(false))]),
            &Actor::role("coordinator"),
            t0(),
        )
        .unwrap();
    assert_eq!(ch.now_not_applicable, vec!["seize"]);
    let seize = ch.case.steps.iter().find(|s| s.id == "seize").unwrap();
    assert!(!seize.applicable);
    let ch = engine
        .set_facts(
            &r,
            &facts(&[("online", FactValue::Bool(true))]),
            &Actor::default(),
            t0(),
        )
        .unwrap();
    assert_eq!(ch.now_applicable, vec!["seize"]);
    let seize = ch.case.steps.iter().find(|s| s.id == "seize").unwrap();
    assert_eq!(
        seize.state,
        StepState::InProgress,
        "the earlier state comes back"
    );
    let facts_events = engine
        .timeline(&r)
        .unwrap()
        .iter()
        .filter(|e| e.kind == "facts")
        .count();
    assert_eq!(facts_events, 2);
}

#[test]
fn record_fields_and_notes_are_kept_with_the_step() {
    let (_d, _p, mut engine) = setup();
    let r = open(&mut engine, online_contact());
    let mut c = change("register", StepState::Done, "police", None);
    c.record.insert("report_no_given".into(), "true".into());
    c.record
        .insert("summary".into(), "report received by phone".into());
    c.note = Some("called back at 10:00".into());
    let v = engine.set_step_state(&r, &c, t0()).unwrap();
    assert_eq!(
        v.record.get("report_no_given"),
        Some(&serde_json::json!(true))
    );
    let mut bad = change("register", StepState::Done, "police", None);
    bad.record.insert("nope".into(), "1".into());
    assert!(matches!(
        engine.set_step_state(&r, &bad, t0()).unwrap_err(),
        CaseError::NoRecordField { .. }
    ));
    let mut pii = change("register", StepState::Done, "police", None);
    pii.record
        .insert("summary".into(), "mail anna.svensson@example.se".into());
    assert!(matches!(
        engine.set_step_state(&r, &pii, t0()).unwrap_err(),
        CaseError::Pii(_)
    ));
    engine
        .add_note(
            &r,
            "register",
            &Actor::role("social"),
            "carer informed",
            t0(),
        )
        .unwrap();
    let view = engine.case_view(&r, t0()).unwrap();
    let reg = view.steps.iter().find(|s| s.id == "register").unwrap();
    let notes: Vec<&str> = reg.notes.iter().filter_map(|n| n.note.as_deref()).collect();
    assert_eq!(notes, vec!["called back at 10:00", "carer informed"]);
    assert_eq!(reg.history.len(), 2);
}

#[test]
fn closed_cases_refuse_changes_and_reopening_needs_a_reason() {
    let (_d, _p, mut engine) = setup();
    let r = open(&mut engine, online_contact());
    let err = engine
        .close_case(&r, " ", &Actor::default(), t0())
        .unwrap_err();
    assert!(matches!(err, CaseError::CaseReasonRequired { .. }), "{err}");
    let v = engine
        .close_case(&r, "no further action", &Actor::role("coordinator"), t0())
        .unwrap();
    assert_eq!(v.status, CaseStatus::Closed);
    assert!(v.next_actions.is_empty());
    let err = engine
        .set_step_state(
            &r,
            &change("register", StepState::Done, "police", None),
            t0(),
        )
        .unwrap_err();
    assert!(matches!(err, CaseError::Closed(_)), "{err}");
    assert!(matches!(
        engine
            .close_case(&r, "again", &Actor::default(), t0())
            .unwrap_err(),
        CaseError::Closed(_)
    ));
    let err = engine
        .reopen_case(&r, "", &Actor::default(), t0())
        .unwrap_err();
    assert!(matches!(err, CaseError::CaseReasonRequired { .. }), "{err}");
    let v = engine
        .reopen_case(&r, "new information", &Actor::default(), t0())
        .unwrap();
    assert_eq!(v.status, CaseStatus::Open);
    assert_eq!(v.closed_at, None);
}

#[test]
fn every_change_is_an_event_and_undo_is_a_new_event() {
    let (_d, path, mut engine) = setup();
    let r = open(&mut engine, online_contact());
    engine
        .set_step_state(
            &r,
            &change("register", StepState::Done, "police", None),
            t0(),
        )
        .unwrap();
    engine
        .set_step_state(
            &r,
            &change("register", StepState::Todo, "police", None),
            t0() + Duration::minutes(5),
        )
        .unwrap();
    let events = engine.timeline(&r).unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["case_opened", "step", "step"]);
    assert_eq!(events[2].from_state.as_deref(), Some("done"));
    assert_eq!(events[2].to_state.as_deref(), Some("todo"));
    assert_eq!(events[2].initials.as_deref(), Some("AB"));
    assert_eq!(events[1].hash, events[2].prev_hash, "events are chained");
    assert!(engine.check().unwrap().is_ok());
    drop(engine);
    // Reopening the file sees the same trail.
    let engine = Engine::open(&path, t0()).unwrap();
    assert_eq!(engine.timeline(&r).unwrap(), events);
    assert!(engine.verify().unwrap().first_break.is_none());
}

#[test]
fn the_stored_state_is_checked_against_the_audit_trail() {
    let (_d, path, mut engine) = setup();
    let r = open(&mut engine, online_contact());
    engine
        .set_step_state(
            &r,
            &change("register", StepState::Done, "police", None),
            t0(),
        )
        .unwrap();
    drop(engine);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE steps SET state = 'todo' WHERE reference = ?1 AND step = 'register'",
        [&r],
    )
    .unwrap();
    drop(conn);
    let engine = Engine::open(&path, t0()).unwrap();
    let report = engine.check().unwrap();
    assert!(!report.is_ok());
    assert!(
        report.chain.first_break.is_none(),
        "the events themselves are intact"
    );
    assert!(
        report.mismatches.iter().any(|m| m.contains("register")),
        "{:?}",
        report.mismatches
    );
}

#[test]
fn verify_names_the_first_edited_event() {
    let (_d, path, mut engine) = setup();
    let r = open(&mut engine, online_contact());
    for s in ["todo", "in_progress", "done"] {
        let state = StepState::parse(s).unwrap();
        let _ = engine.set_step_state(&r, &change("register", state, "police", None), t0());
    }
    let events = engine.timeline(&r).unwrap();
    let target = events[1].seq;
    drop(engine);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE events SET role = 'coordinator' WHERE seq = ?1",
        [target],
    )
    .unwrap();
    drop(conn);
    let engine = Engine::open(&path, t0()).unwrap();
    let report = engine.verify().unwrap();
    let b = report.first_break.expect("an edited event is detected");
    assert_eq!(b.seq, Some(target));
    assert_eq!(b.reference.as_deref(), Some(r.as_str()));

    // Removing the last event is detected too (the case keeps the head of its chain).
    let (_d2, path2, mut engine2) = setup();
    let r2 = open(&mut engine2, online_contact());
    engine2
        .set_step_state(
            &r2,
            &change("register", StepState::Done, "police", None),
            t0(),
        )
        .unwrap();
    drop(engine2);
    let conn = rusqlite::Connection::open(&path2).unwrap();
    conn.execute(
        "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events WHERE reference = ?1)",
        [&r2],
    )
    .unwrap();
    drop(conn);
    let engine2 = Engine::open(&path2, t0()).unwrap();
    let b = engine2
        .verify()
        .unwrap()
        .first_break
        .expect("a removed event is detected");
    assert_eq!(b.reference.as_deref(), Some(r2.as_str()));
}

#[test]
fn migration_keeps_states_archives_removed_steps_and_shows_the_diff_first() {
    let (_d, _p, mut engine) = setup();
    let r = open(&mut engine, online_contact());
    engine
        .set_step_state(
            &r,
            &change("register", StepState::Done, "police", None),
            t0(),
        )
        .unwrap();
    engine
        .set_step_state(
            &r,
            &change("forensic", StepState::InProgress, "police", None),
            t0(),
        )
        .unwrap();
    engine
        .import_pack("rules-2.0.0.toml", RULES_2, None, true, t0())
        .unwrap();
    let preview = engine.migrate_preview(&r, "2.0.0").unwrap();
    assert_eq!(preview.from, "test-rules@1.0.0");
    assert_eq!(preview.to, "test-rules@2.0.0");
    assert_eq!(preview.archived, vec!["forensic"]);
    assert_eq!(preview.added, vec!["follow-up-call"]);
    assert_eq!(preview.changed.len(), 1);
    assert_eq!(preview.changed[0].id, "assess");
    assert_eq!(preview.changed[0].fields, vec!["title"]);
    assert!(preview.kept.contains(&"register".to_string()));
    // The preview changed nothing.
    assert_eq!(
        engine.case_view(&r, t0()).unwrap().pack.key,
        "test-rules@1.0.0"
    );

    let done = engine
        .migrate(&r, "2.0.0", &Actor::role("coordinator"), t0())
        .unwrap();
    assert_eq!(done, preview);
    let view = engine.case_view(&r, t0()).unwrap();
    assert_eq!(view.pack.key, "test-rules@2.0.0");
    let reg = view.steps.iter().find(|s| s.id == "register").unwrap();
    assert_eq!(reg.state, StepState::Done, "state of a kept step is kept");
    assert!(view
        .steps
        .iter()
        .any(|s| s.id == "follow-up-call" && s.state == StepState::Todo));
    assert_eq!(view.archived_steps.len(), 1);
    let archived = &view.archived_steps[0];
    assert_eq!(archived.id, "forensic");
    assert_eq!(archived.state, StepState::InProgress);
    assert_eq!(archived.archived_from, "test-rules@1.0.0");
    assert_eq!(
        archived.history.len(),
        1,
        "history of an archived step is kept"
    );
    assert!(
        engine.check().unwrap().is_ok(),
        "{:?}",
        engine.check().unwrap()
    );

    let err = engine.migrate_preview(&r, "1.0.0").unwrap_err();
    assert!(matches!(err, CaseError::Migration { .. }), "{err}");
    let err = engine.migrate_preview(&r, "9.9.9").unwrap_err();
    assert!(matches!(err, CaseError::Migration { .. }), "{err}");
}

#[test]
fn pack_versions_are_immutable_and_their_status_controls_new_cases() {
    let (_d, _p, mut engine) = setup();
    let packs = engine.list_packs().unwrap();
    assert!(
        packs
            .iter()
            .any(|p| p.id == "barnahus-online-csa" && p.origin == PackOrigin::Shipped),
        "shipped packs are installed on first open"
    );
    let again = engine
        .import_pack("rules-1.0.0.toml", RULES_1, None, true, t0())
        .unwrap();
    assert!(!again.new);
    let changed = RULES_1.replace("Register the report", "Register the report now");
    let err = engine
        .import_pack("rules-1.0.0.toml", &changed, None, true, t0())
        .unwrap_err();
    assert!(matches!(err, CaseError::PackConflict(_)), "{err}");

    engine
        .import_pack("rules-2.0.0.toml", RULES_2, None, true, t0())
        .unwrap();
    assert_eq!(
        engine.resolve_pack("test-rules").unwrap().key,
        "test-rules@2.0.0"
    );
    engine
        .set_pack_status("test-rules@2.0.0", PackStatus::Retired, t0())
        .unwrap();
    assert_eq!(
        engine.resolve_pack("test-rules").unwrap().key,
        "test-rules@1.0.0"
    );
    let err = engine
        .open_case(
            &NewCase {
                pack: "test-rules@2.0.0".into(),
                ..Default::default()
            },
            t0(),
        )
        .unwrap_err();
    assert!(matches!(err, CaseError::PackRetired(_)), "{err}");
    let global: Vec<String> = engine
        .store()
        .read(|tx| caseway::store::audit::events_of(tx, None))
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(global.contains(&"pack_status".to_string()));
    assert!(global.contains(&"pack_imported".to_string()));
}

#[test]
fn imports_need_a_signature_by_a_trusted_key_unless_unsigned() {
    let (_d, _p, mut engine) = setup();
    let err = engine
        .import_pack("rules-2.0.0.toml", RULES_2, None, false, t0())
        .unwrap_err();
    assert!(matches!(err, CaseError::Signature(_)), "{err}");
    assert!(err.is_refusal());

    let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let sk_text = kp.sk.to_box(None).unwrap().to_string();
    let pk_text = kp.pk.to_box().unwrap().to_string();
    let sig = caseway::pack::sign(RULES_2.as_bytes(), &sk_text, None, None).unwrap();

    // Signed, but by a key nobody trusts yet.
    let err = engine
        .import_pack("rules-2.0.0.toml", RULES_2, Some(&sig), false, t0())
        .unwrap_err();
    assert!(matches!(err, CaseError::Signature(_)), "{err}");

    let key = engine.add_key(&pk_text, t0()).unwrap();
    assert_eq!(key.key_id.len(), 16);
    assert_eq!(engine.list_keys().unwrap().len(), 1);
    // A changed file does not match the signature.
    let tampered = RULES_2.replace("Follow-up call", "Follow-up visit");
    let err = engine
        .import_pack("rules-2.0.0.toml", &tampered, Some(&sig), false, t0())
        .unwrap_err();
    assert!(matches!(err, CaseError::Signature(_)), "{err}");
    let out = engine
        .import_pack("rules-2.0.0.toml", RULES_2, Some(&sig), false, t0())
        .unwrap();
    assert_eq!(out.origin, PackOrigin::Signed);
    assert_eq!(out.signed_by.as_deref(), Some(key.key_id.as_str()));
    let case = engine
        .open_case(
            &NewCase {
                pack: "test-rules@2.0.0".into(),
                ..Default::default()
            },
            t0(),
        )
        .unwrap();
    assert!(!case.training, "a case on a signed pack is a real case");

    engine.remove_key(&key.key_id, t0()).unwrap();
    assert!(engine.list_keys().unwrap().is_empty());
    assert!(matches!(
        engine.remove_key(&key.key_id, t0()).unwrap_err(),
        CaseError::NoKey(_)
    ));
}

#[test]
fn closed_cases_past_retention_are_purged_only_on_request() {
    let (_d, _p, mut engine) = setup();
    let old = open(&mut engine, online_contact());
    let recent = open(&mut engine, online_contact());
    let still_open = open(&mut engine, online_contact());
    engine
        .close_case(&old, "finished", &Actor::default(), t0())
        .unwrap();
    engine
        .close_case(
            &recent,
            "finished",
            &Actor::default(),
            t0() + Duration::days(20),
        )
        .unwrap();
    let at = t0() + Duration::days(31);
    let preview = engine.purge_preview(at).unwrap();
    assert_eq!(preview.len(), 1);
    assert_eq!(preview[0].reference, old);
    assert_eq!(preview[0].purge_after, t0() + Duration::days(30));
    assert_eq!(
        engine.case_list(&CaseFilter::default(), at).unwrap().len(),
        3,
        "dry run removes nothing"
    );
    let removed = engine.purge(at).unwrap();
    assert_eq!(removed, preview);
    assert!(matches!(
        engine.case_view(&old, at).unwrap_err(),
        CaseError::NoCase(_)
    ));
    engine.case_view(&recent, at).unwrap();
    engine.case_view(&still_open, at).unwrap();
    let report = engine.check().unwrap();
    assert!(report.is_ok(), "{report:?}");
    let purged = engine
        .store()
        .read(|tx| caseway::store::audit::events_of(tx, None))
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "case_purged")
        .count();
    assert_eq!(purged, 1, "the purge is recorded in the global audit chain");
}

#[test]
fn backup_and_restore_round_trip() {
    let (dir, _p, mut engine) = setup();
    let r = open(&mut engine, online_contact());
    let backup = dir.path().join("backup.sqlite3");
    engine.backup(&backup).unwrap();
    assert!(
        engine.backup(&backup).is_err(),
        "an existing backup is never overwritten"
    );
    engine
        .set_step_state(
            &r,
            &change("register", StepState::Done, "police", None),
            t0(),
        )
        .unwrap();
    let later = open(&mut engine, online_contact());
    engine.restore(&backup).unwrap();
    let view = engine.case_view(&r, t0()).unwrap();
    assert_eq!(
        view.steps[0].state,
        StepState::Todo,
        "the state of the backup is back"
    );
    assert!(matches!(
        engine.case_view(&later, t0()).unwrap_err(),
        CaseError::NoCase(_)
    ));
    assert!(engine.check().unwrap().is_ok());

    // A file that is not a database is refused and the current database stays as it is.
    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(&junk, b"this is not a database at all, just text").unwrap();
    assert!(engine.restore(&junk).is_err());
    engine.case_view(&r, t0()).unwrap();
    let _ = Path::new("unused");
}

#[test]
fn removing_a_whole_case_is_detected() {
    let (_d, path, mut engine) = setup();
    let keep = open(&mut engine, online_contact());
    let gone = open(&mut engine, online_contact());
    drop(engine);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "DELETE FROM events WHERE reference = '{gone}';
         DELETE FROM steps WHERE reference = '{gone}';
         DELETE FROM cases WHERE reference = '{gone}';"
    ))
    .unwrap();
    drop(conn);
    let engine = Engine::open(&path, t0()).unwrap();
    let b = engine
        .verify()
        .unwrap()
        .first_break
        .expect("a removed case is detected");
    assert_eq!(b.reference.as_deref(), Some(gone.as_str()));
    assert!(
        b.problem.contains("without a purge record"),
        "{}",
        b.problem
    );
    engine.case_view(&keep, t0()).unwrap();
}

#[test]
fn the_engine_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<Engine>();
}

#[test]
fn undo_moves_a_step_back_by_a_new_event() {
    let (_d, _p, mut engine) = setup();
    let r = open(&mut engine, online_contact());
    assert!(matches!(
        engine
            .undo_last_step_change(&r, "police", None, t0())
            .unwrap_err(),
        CaseError::NothingToUndo(_)
    ));
    engine
        .set_step_state(
            &r,
            &change(
                "assess",
                StepState::Blocked,
                "social",
                Some("school closed"),
            ),
            t0(),
        )
        .unwrap();
    engine
        .set_step_state(&r, &change("assess", StepState::Done, "social", None), t0())
        .unwrap();
    engine
        .set_step_state(
            &r,
            &change("register", StepState::Done, "police", None),
            t0(),
        )
        .unwrap();
    // The latest change is police's: social may not undo it.
    assert!(matches!(
        engine
            .undo_last_step_change(&r, "social", None, t0())
            .unwrap_err(),
        CaseError::WrongRole { .. }
    ));
    let v = engine
        .undo_last_step_change(&r, "police", None, t0())
        .unwrap();
    assert_eq!((v.id.as_str(), v.state), ("register", StepState::Todo));
    let v = engine
        .undo_last_step_change(&r, "social", None, t0())
        .unwrap();
    assert_eq!((v.id.as_str(), v.state), ("assess", StepState::Blocked));
    assert_eq!(
        v.reason.as_deref(),
        Some("school closed"),
        "the earlier reason comes back"
    );
    let v = engine
        .undo_last_step_change(&r, "coordinator", None, t0())
        .unwrap();
    assert_eq!((v.id.as_str(), v.state), ("assess", StepState::Todo));
    assert!(matches!(
        engine
            .undo_last_step_change(&r, "coordinator", None, t0())
            .unwrap_err(),
        CaseError::NothingToUndo(_)
    ));
    let events = engine.timeline(&r).unwrap();
    assert_eq!(
        events.iter().filter(|e| e.kind == "step").count(),
        6,
        "nothing deleted"
    );
    assert!(engine.check().unwrap().is_ok());
}

#[test]
fn check_finds_a_pack_text_changed_behind_its_hash() {
    let (_d, path, engine) = setup();
    drop(engine);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE packs SET source = replace(source, 'Register the report', 'Skip the report')
         WHERE key = 'test-rules@1.0.0'",
        [],
    )
    .unwrap();
    drop(conn);
    let engine = Engine::open(&path, t0()).unwrap();
    let report = engine.check().unwrap();
    assert!(
        report
            .mismatches
            .iter()
            .any(|m| m.contains("test-rules@1.0.0")),
        "{report:?}"
    );
}

#[test]
fn the_list_counts_actionable_steps_per_role_with_or_without_the_action_lists() {
    let (_dir, _path, mut engine) = setup();
    let reference = open(&mut engine, online_contact());
    let full = engine.case_list(&CaseFilter::default(), t0()).unwrap();
    let counts = engine
        .case_list(
            &CaseFilter {
                counts_only: true,
                ..Default::default()
            },
            t0(),
        )
        .unwrap();
    let (full, counts) = (&full[0], &counts[0]);
    assert_eq!(full.reference, reference);
    assert!(!full.next_actions.is_empty());
    assert!(
        counts.next_actions.is_empty(),
        "counts only: no action lists"
    );
    let mut expected: BTreeMap<String, u32> = BTreeMap::new();
    for a in &full.next_actions {
        *expected.entry(a.role.clone()).or_default() += 1;
    }
    assert_eq!(full.actionable_by_role, expected);
    assert_eq!(counts.actionable_by_role, expected);
}

/// The list computes every case at once (rows read in one pass, the pack indexed once); each
/// line must say what the case's own view says.
#[test]
fn every_list_line_agrees_with_the_case_view() {
    let (_d, _p, mut engine) = setup();
    let variants = [
        online_contact(),
        facts(&[("online", FactValue::Bool(false))]),
        facts(&[
            ("online", FactValue::Bool(true)),
            ("types", FactValue::Multi(vec!["grooming".into()])),
        ]),
        facts(&[]),
    ];
    let mut references = Vec::new();
    for i in 0..12 {
        let r = open(&mut engine, variants[i % variants.len()].clone());
        let at = t0() + Duration::hours(i as i64);
        if i % 3 != 2 {
            engine
                .set_step_state(&r, &change("register", StepState::Done, "police", None), at)
                .unwrap();
        }
        if i % 4 == 1 {
            engine
                .set_step_state(
                    &r,
                    &change("assess", StepState::InProgress, "social", None),
                    at,
                )
                .unwrap();
        }
        if i % 5 == 0 {
            engine
                .set_step_state(
                    &r,
                    &change(
                        "assess",
                        StepState::NotApplicable,
                        "social",
                        Some("done elsewhere"),
                    ),
                    at,
                )
                .unwrap();
        }
        if i % 6 == 3 {
            engine
                .close_case(&r, "referred", &Actor::role("coordinator"), at)
                .unwrap();
        }
        references.push(r);
    }
    let now = t0() + Duration::hours(30);
    for filter in [
        CaseFilter::default(),
        CaseFilter {
            status: Some(CaseStatus::Open),
            counts_only: true,
            ..Default::default()
        },
    ] {
        let list = engine.case_list(&filter, now).unwrap();
        let expected = if filter.status.is_some() { 10 } else { 12 };
        assert_eq!(list.len(), expected);
        for line in &list {
            let view = engine.case_view(&line.reference, now).unwrap();
            let applicable: Vec<_> = view.steps.iter().filter(|s| s.applicable).collect();
            let unfinished = applicable.iter().filter(|s| !s.state.is_finished());
            assert_eq!(
                line.applicable_steps as usize,
                applicable.len(),
                "{}",
                line.reference
            );
            assert_eq!(
                line.finished_steps as usize,
                applicable.iter().filter(|s| s.state.is_finished()).count()
            );
            assert_eq!(
                line.overdue_steps as usize,
                applicable.iter().filter(|s| s.overdue).count()
            );
            assert_eq!(
                line.due_soon_steps as usize,
                applicable.iter().filter(|s| s.due_soon).count()
            );
            assert_eq!(line.next_due, unfinished.filter_map(|s| s.due).min());
            let by_role: BTreeMap<String, u32> = view
                .next_actions
                .iter()
                .map(|(role, actions)| (role.clone(), actions.len() as u32))
                .filter(|(_, n)| *n > 0)
                .collect();
            assert_eq!(line.actionable_by_role, by_role, "{}", line.reference);
        }
    }
    assert!(references.len() == 12);
}
