//! Seeds a database for `scripts/bench-app`: CASES cases on the shipped pack (opened over
//! the past months, a step under way in each), and one case on a generated 200-step pack
//! imported unsigned (a training pack).
//!
//! Run: `cargo run --release --example seed -- DB [CASES]`; prints the reference of the
//! 200-step case on its last line.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use caseway::case::{Actor, Engine, NewCase, StepChangeRequest, StepState};
use chrono::{Duration, Utc};

const ROLES: [&str; 5] = [
    "coordinator",
    "police",
    "social-services",
    "medical",
    "therapy",
];

/// A pack of `steps` steps over 5 phases and 5 roles, every step applicable to every case;
/// every tenth waits for the one before and every fourth has a deadline.
fn pack_with_steps(steps: usize) -> String {
    let mut s = String::from(
        "format = 1\n\n[pack]\nid = \"bench-200-steps\"\nversion = \"1.0.0\"\nstatus = \"active\"\n\
         title = { en = \"Benchmark: 200 steps\", sv = \"Benchmark: 200 steg\" }\n\
         default_language = \"en\"\nlanguages = [\"en\", \"sv\"]\n",
    );
    for r in ROLES {
        let _ = write!(
            s,
            "\n[[role]]\nid = \"{r}\"\ntitle = {{ en = \"Role {r}\", sv = \"Roll {r}\" }}\n"
        );
    }
    for p in 0..5 {
        let _ = write!(
            s,
            "\n[[phase]]\nid = \"phase-{p}\"\ntitle = {{ en = \"Phase {p}\", sv = \"Fas {p}\" }}\n"
        );
    }
    for i in 0..steps {
        let _ = write!(
            s,
            "\n[[step]]\nid = \"step-{i}\"\nphase = \"phase-{}\"\nrole = \"{}\"\n\
             title = {{ en = \"Step {i}\", sv = \"Steg {i}\" }}\n\
             guidance = {{ en = \"What to do in step {i}, and why.\", sv = \"Vad som görs i steg {i}, och varför.\" }}\n",
            i * 5 / steps,
            ROLES[i % ROLES.len()]
        );
        if i % 10 == 9 {
            let _ = writeln!(s, "after = [\"step-{}\"]", i - 1);
        }
        if i % 4 == 0 {
            let _ = writeln!(
                s,
                "due = {{ within = \"{}wd\", from = \"opened\" }}",
                1 + i % 10
            );
        }
    }
    s
}

fn seed(db: &Path, cases: usize) -> Result<String, Box<dyn std::error::Error>> {
    let now = Utc::now();
    let mut engine = Engine::open(db, now)?;
    let shipped = engine.resolve_pack("barnahus-online-csa")?;
    let pack = engine.pack(&shipped.key)?;
    let facts = Engine::parse_facts(&pack, &[("online_element".into(), "true".into())])?;
    for i in 0..cases {
        let opened = now - Duration::hours(9 * i as i64);
        let view = engine.open_case(
            &NewCase {
                pack: shipped.key.clone(),
                facts: facts.clone(),
                label: None,
                actor: Actor::role("coordinator"),
            },
            opened,
        )?;
        if let Some(step) = view.steps.iter().find(|s| s.applicable) {
            engine.set_step_state(
                &view.reference,
                &StepChangeRequest {
                    step: step.id.clone(),
                    state: StepState::InProgress,
                    role: "coordinator".into(),
                    initials: None,
                    reason: None,
                    note: None,
                    record: Default::default(),
                },
                opened + Duration::hours(1),
            )?;
        }
    }
    let source = pack_with_steps(200);
    let imported = engine.import_pack("bench-200-steps.toml", &source, None, true, now)?;
    let big = engine.open_case(
        &NewCase {
            pack: imported.key,
            actor: Actor::role("coordinator"),
            ..Default::default()
        },
        now,
    )?;
    Ok(big.reference)
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(db) = args.next().map(PathBuf::from) else {
        eprintln!("usage: seed DB [CASES]");
        return ExitCode::from(2);
    };
    let cases = match args.next().map(|a| a.to_string_lossy().parse::<usize>()) {
        None => 1_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("CASES must be a number: {e}");
            return ExitCode::from(2);
        }
    };
    match seed(&db, cases) {
        Ok(reference) => {
            println!("{reference}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot seed {}: {e}", db.display());
            ExitCode::FAILURE
        }
    }
}
