//! `caseway case ...`: open cases, list them, show one, change steps and facts, migrate,
//! close and reopen. Also the helpers the database commands share (clock, database, output).
//!
//! The clock: every command uses the system clock, unless `CASEWAY_NOW` holds an RFC 3339
//! time (e.g. `2026-03-02T09:00:00Z`), which is meant for training sessions and tests.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Local, Utc};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use caseway::case::{
    Actor, CaseError, CaseFilter, CaseStatus, CaseView, Engine, NewCase, StepChangeRequest,
    StepState, StepView,
};

/// Prints a line on stdout; a closed pipe (`| head`) ends the output quietly.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
pub(crate) use say;

/// Environment variable with a fixed "now" (RFC 3339), for training and tests.
pub const NOW_ENV: &str = "CASEWAY_NOW";

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[value(alias = "human")]
    Text,
    Json,
}

/// A command's failure: the message is printed on stderr, the code is the exit code.
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl From<CaseError> for Failure {
    fn from(e: CaseError) -> Self {
        Failure {
            code: if e.is_refusal() { 1 } else { 2 },
            message: e.to_string(),
        }
    }
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    pub fn refused(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

/// Turns a command result into the process exit code, printing the error.
pub fn finish(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// The current time: `CASEWAY_NOW` if set, else the system clock.
pub fn now() -> Result<DateTime<Utc>, Failure> {
    match std::env::var(NOW_ENV) {
        Ok(v) if !v.trim().is_empty() => DateTime::parse_from_rfc3339(v.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                Failure::usage(format!(
                    "{NOW_ENV}={v} is not an RFC 3339 time ({e}); use e.g. 2026-03-02T09:00:00Z or unset it"
                ))
            }),
        _ => Ok(Utc::now()),
    }
}

/// Opens the engine on the database chosen by `--db`, `CASEWAY_DB` or the default path.
pub fn open_engine(db: Option<PathBuf>, now: DateTime<Utc>) -> Result<Engine, Failure> {
    let path = caseway::paths::database_path(db).ok_or_else(|| {
        Failure::usage("no home directory found; pass --db PATH or set CASEWAY_DB")
    })?;
    // Real cases never go into the training database. A file that cannot be probed is left
    // to `Engine::open`, which says what is wrong with it.
    if let Ok(caseway::training::DatabaseKind::Training) = caseway::training::database_kind(&path) {
        return Err(Failure::refused(
            caseway::training::TrainingError::IsTraining(path).to_string(),
        ));
    }
    Ok(Engine::open(&path, now)?)
}

/// Opens the database for maintenance (`db ...`): migrations run, but nothing else is
/// written, so a damaged database can still be checked and restored.
pub fn open_store(db: Option<PathBuf>) -> Result<Engine, Failure> {
    let path = caseway::paths::database_path(db).ok_or_else(|| {
        Failure::usage("no home directory found; pass --db PATH or set CASEWAY_DB")
    })?;
    let store = caseway::store::Store::open(&path).map_err(CaseError::from)?;
    Ok(Engine::from_store(store))
}

/// Prints a value as pretty JSON.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::usage(format!("cannot write JSON: {e}")))?;
    use std::io::Write;
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = writeln!(std::io::stdout().lock(), "{text}");
    Ok(())
}

/// A time in the local time zone, for people.
pub fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
}

fn split_pair(s: &str, what: &str) -> Result<(String, String), Failure> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(Failure::usage(format!("{what} `{s}` must be KEY=VALUE"))),
    }
}

#[derive(Args)]
#[command(
    after_help = "Clock: set CASEWAY_NOW to an RFC 3339 time (e.g. 2026-03-02T09:00:00Z) to fix \"now\" for training sessions and tests; otherwise the system clock is used."
)]
pub struct CaseArgs {
    #[command(subcommand)]
    command: CaseCommand,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StatusArg {
    Open,
    Closed,
}

#[derive(Subcommand)]
enum CaseCommand {
    /// Open a case on a protocol pack; prints the new reference on its last line.
    Open {
        /// Pack `ID` (its highest active version) or `ID@VERSION`.
        #[arg(long)]
        pack: String,
        /// An answer to one of the pack's facts, e.g. `online_element=true`,
        /// `abuse_types=grooming,contact` (repeat the option).
        #[arg(long = "fact", value_name = "KEY=VALUE")]
        facts: Vec<String>,
        /// Optional free-text label (no names, birth dates or ID numbers: it is checked).
        #[arg(long)]
        label: Option<String>,
        #[arg(long)]
        role: Option<String>,
        /// Staff initials recorded in the audit trail.
        #[arg(long)]
        initials: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// List cases with their progress and deadlines, newest first.
    List {
        /// Only cases with an overdue step.
        #[arg(long)]
        overdue: bool,
        /// Only cases where this role has something to do now (and show that).
        #[arg(long)]
        role: Option<String>,
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Show a case: facts, every step with its state and deadline, next actions.
    Show {
        reference: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Change the state of a step (only its owning role or the coordinator).
    Step {
        reference: String,
        step: String,
        /// todo, in-progress, done, na (not applicable) or blocked.
        #[arg(long)]
        state: String,
        /// The role acting.
        #[arg(long)]
        role: String,
        /// Required for na and blocked.
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// A value of one of the step's record fields (repeatable).
        #[arg(long = "record", value_name = "FIELD=VALUE")]
        record: Vec<String>,
        #[arg(long)]
        initials: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Undo the latest step change (a new event back to the previous state; nothing is
    /// deleted).
    Undo {
        reference: String,
        /// The role acting: the step's owner or the coordinator.
        #[arg(long)]
        role: String,
        #[arg(long)]
        initials: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Add a note to a step without changing its state.
    Note {
        reference: String,
        step: String,
        text: String,
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        initials: Option<String>,
    },
    /// Answer or change facts; the steps that apply are re-evaluated.
    Facts {
        reference: String,
        #[arg(required = true, value_name = "KEY=VALUE")]
        facts: Vec<String>,
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        initials: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Move a case to a newer version of its pack (shows what changes first with --dry-run).
    Migrate {
        reference: String,
        /// The version (`2.0.0`) or `ID@VERSION`.
        #[arg(long)]
        to: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        initials: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Close a case (reason required).
    Close {
        reference: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        initials: Option<String>,
    },
    /// Reopen a closed case (reason required).
    Reopen {
        reference: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        initials: Option<String>,
    },
    /// Apply a stream of step changes read from stdin, one JSON object per line:
    /// `{"step": "...", "state": "done", "role": "...", "reason": "...", "note": "...",
    /// "initials": "...", "record": {"field": "value"}}`. Prints `saved: ...` after each
    /// change is committed; a refused line is reported on stderr and the stream goes on
    /// (exit 1 at the end if any was refused).
    Batch { reference: String },
    /// The audit trail of a case, oldest first.
    Timeline {
        reference: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

pub fn run(db: Option<PathBuf>, args: CaseArgs) -> ExitCode {
    finish(run_inner(db, args))
}

fn run_inner(db: Option<PathBuf>, args: CaseArgs) -> Result<(), Failure> {
    let now = now()?;
    let mut engine = open_engine(db, now)?;
    match args.command {
        CaseCommand::Open {
            pack,
            facts,
            label,
            role,
            initials,
            format,
        } => {
            let rec = engine.resolve_pack(&pack)?;
            let p = engine.pack(&rec.key)?;
            let raw = facts
                .iter()
                .map(|f| split_pair(f, "fact"))
                .collect::<Result<Vec<_>, _>>()?;
            let facts = Engine::parse_facts(&p, &raw)?;
            let view = engine.open_case(
                &NewCase {
                    pack,
                    facts,
                    label,
                    actor: Actor { role, initials },
                },
                now,
            )?;
            if format == Format::Json {
                return print_json(&view);
            }
            let applicable = view.steps.iter().filter(|s| s.applicable).count();
            say!(
                "opened case on {} ({} of {} steps apply){}",
                view.pack.key,
                applicable,
                view.steps.len(),
                if view.training {
                    " [training: unsigned pack]"
                } else {
                    ""
                }
            );
            if !view.unanswered_facts.is_empty() {
                say!("unanswered facts: {}", view.unanswered_facts.join(", "));
            }
            say!("{}", view.reference);
            Ok(())
        }
        CaseCommand::List {
            overdue,
            role,
            status,
            format,
        } => {
            let filter = CaseFilter {
                status: status.map(|s| match s {
                    StatusArg::Open => CaseStatus::Open,
                    StatusArg::Closed => CaseStatus::Closed,
                }),
                overdue_only: overdue,
                role,
                counts_only: false,
            };
            let list = engine.case_list(&filter, now)?;
            if format == Format::Json {
                return print_json(&list);
            }
            if list.is_empty() {
                say!("no cases");
            }
            for c in &list {
                say!(
                    "{}  {}  {:<6}  {}/{} done  {} overdue  next due {}{}",
                    c.reference,
                    c.pack.key,
                    c.status.as_str(),
                    c.finished_steps,
                    c.applicable_steps,
                    c.overdue_steps,
                    c.next_due.map(local).unwrap_or_else(|| "-".into()),
                    c.label
                        .as_deref()
                        .map(|l| format!("  \"{l}\""))
                        .unwrap_or_default()
                );
                if filter.role.is_some() {
                    for a in &c.next_actions {
                        say!(
                            "    {}{}  due {}",
                            a.step,
                            if a.overdue { " OVERDUE" } else { "" },
                            a.due.map(local).unwrap_or_else(|| "-".into())
                        );
                    }
                }
            }
            Ok(())
        }
        CaseCommand::Show { reference, format } => {
            let view = engine.case_view(&reference, now)?;
            if format == Format::Json {
                return print_json(&view);
            }
            print_case(&view);
            Ok(())
        }
        CaseCommand::Step {
            reference,
            step,
            state,
            role,
            reason,
            note,
            record,
            initials,
            format,
        } => {
            let state = StepState::parse(&state)?;
            let record = record
                .iter()
                .map(|r| split_pair(r, "record field"))
                .collect::<Result<BTreeMap<_, _>, _>>()?;
            let view = engine.set_step_state(
                &reference,
                &StepChangeRequest {
                    step,
                    state,
                    role,
                    initials,
                    reason,
                    note,
                    record,
                },
                now,
            )?;
            if format == Format::Json {
                return print_json(&view);
            }
            say!("saved: {reference} {} -> {}", view.id, view.state);
            Ok(())
        }
        CaseCommand::Undo {
            reference,
            role,
            initials,
            format,
        } => {
            let view = engine.undo_last_step_change(&reference, &role, initials.as_deref(), now)?;
            if format == Format::Json {
                return print_json(&view);
            }
            say!("saved: {reference} {} -> {} (undo)", view.id, view.state);
            Ok(())
        }
        CaseCommand::Note {
            reference,
            step,
            text,
            role,
            initials,
        } => {
            let seq = engine.add_note(&reference, &step, &Actor { role, initials }, &text, now)?;
            say!("saved: note on {reference} {step} (event {seq})");
            Ok(())
        }
        CaseCommand::Facts {
            reference,
            facts,
            role,
            initials,
            format,
        } => {
            let view = engine.case_view(&reference, now)?;
            let p = engine.pack(&view.pack.key)?;
            let raw = facts
                .iter()
                .map(|f| split_pair(f, "fact"))
                .collect::<Result<Vec<_>, _>>()?;
            let updates = Engine::parse_facts(&p, &raw)?;
            let change = engine.set_facts(&reference, &updates, &Actor { role, initials }, now)?;
            if format == Format::Json {
                return print_json(&change);
            }
            say!("saved: facts of {reference}");
            if !change.now_applicable.is_empty() {
                say!("now apply: {}", change.now_applicable.join(", "));
            }
            if !change.now_not_applicable.is_empty() {
                say!("no longer apply: {}", change.now_not_applicable.join(", "));
            }
            Ok(())
        }
        CaseCommand::Migrate {
            reference,
            to,
            dry_run,
            role,
            initials,
            format,
        } => {
            let preview = if dry_run {
                engine.migrate_preview(&reference, &to)?
            } else {
                engine.migrate(&reference, &to, &Actor { role, initials }, now)?
            };
            if format == Format::Json {
                return print_json(&preview);
            }
            say!(
                "{} {} from {} to {}",
                if dry_run { "would move" } else { "moved" },
                preview.reference,
                preview.from,
                preview.to
            );
            say!("  kept:     {}", list_or_none(&preview.kept));
            let changed: Vec<String> = preview
                .changed
                .iter()
                .map(|c| format!("{} ({})", c.id, c.fields.join(", ")))
                .collect();
            say!("  changed:  {}", list_or_none(&changed));
            say!("  added:    {}", list_or_none(&preview.added));
            say!("  archived: {}", list_or_none(&preview.archived));
            if !preview.dropped_facts.is_empty() {
                say!("  facts dropped: {}", preview.dropped_facts.join(", "));
            }
            Ok(())
        }
        CaseCommand::Close {
            reference,
            reason,
            role,
            initials,
        } => {
            engine.close_case(&reference, &reason, &Actor { role, initials }, now)?;
            say!("saved: {reference} closed");
            Ok(())
        }
        CaseCommand::Reopen {
            reference,
            reason,
            role,
            initials,
        } => {
            engine.reopen_case(&reference, &reason, &Actor { role, initials }, now)?;
            say!("saved: {reference} reopened");
            Ok(())
        }
        CaseCommand::Batch { reference } => batch(&mut engine, &reference),
        CaseCommand::Timeline { reference, format } => {
            let events = engine.timeline(&reference)?;
            if format == Format::Json {
                return print_json(&events);
            }
            for e in &events {
                let mut line = format!("{:>6}  {}  {}", e.seq, e.at, e.kind);
                if let Some(s) = &e.step {
                    line.push_str(&format!(" {s}"));
                }
                if let (Some(f), Some(t)) = (&e.from_state, &e.to_state) {
                    line.push_str(&format!(" {f} -> {t}"));
                }
                if let Some(r) = &e.role {
                    line.push_str(&format!(" by {r}"));
                }
                if let Some(i) = &e.initials {
                    line.push_str(&format!(" ({i})"));
                }
                if let Some(r) = &e.reason {
                    line.push_str(&format!(" reason: {r}"));
                }
                if let Some(n) = &e.note {
                    line.push_str(&format!(" note: {n}"));
                }
                say!("{line}");
            }
            Ok(())
        }
    }
}

/// One line of `case batch`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchLine {
    step: String,
    state: String,
    role: String,
    reason: Option<String>,
    note: Option<String>,
    initials: Option<String>,
    #[serde(default)]
    record: BTreeMap<String, String>,
}

fn batch(engine: &mut Engine, reference: &str) -> Result<(), Failure> {
    use std::io::BufRead;
    let mut refused = 0usize;
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let result = serde_json::from_str::<BatchLine>(&line)
            .map_err(|e| Failure::refused(format!("line {}: not a step change: {e}", n + 1)))
            .and_then(|b| {
                let change = StepChangeRequest {
                    step: b.step,
                    state: StepState::parse(&b.state)?,
                    role: b.role,
                    initials: b.initials,
                    reason: b.reason,
                    note: b.note,
                    record: b.record,
                };
                let now = now()?;
                Ok(engine.set_step_state(reference, &change, now)?)
            });
        match result {
            Ok(view) => say!("saved: {reference} {} -> {}", view.id, view.state),
            Err(f) if f.code == 1 => {
                refused += 1;
                eprintln!("refused: line {}: {}", n + 1, f.message);
            }
            Err(f) => return Err(f),
        }
    }
    if refused > 0 {
        return Err(Failure::refused(format!("{refused} change(s) refused")));
    }
    Ok(())
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(", ")
    }
}

fn state_mark(s: &StepView) -> &'static str {
    if !s.applicable {
        return "n/a by protocol";
    }
    match s.state {
        StepState::Todo => "todo",
        StepState::InProgress => "in progress",
        StepState::Done => "done",
        StepState::NotApplicable => "not applicable",
        StepState::Blocked => "blocked",
    }
}

fn print_case(v: &CaseView) {
    say!("case {}  [{}]", v.reference, v.status.as_str());
    say!("pack {}  {}", v.pack.key, v.pack.title);
    if v.training {
        say!("training case (pack imported without a trusted signature)");
    }
    if let Some(l) = &v.label {
        say!("label: {l}");
    }
    say!("opened {}", local(v.opened_at));
    if let Some(c) = v.closed_at {
        say!("closed {}", local(c));
    }
    let facts: Vec<String> = v
        .facts
        .iter()
        .map(|(k, val)| format!("{k}={}", serde_json::to_string(val).unwrap_or_default()))
        .collect();
    say!("facts: {}", list_or_none(&facts));
    if !v.unanswered_facts.is_empty() {
        say!("unanswered: {}", v.unanswered_facts.join(", "));
    }
    let mut phase = "";
    for s in &v.steps {
        if s.phase != phase {
            phase = &s.phase;
            say!("\n{phase}");
        }
        let mut line = format!("  [{}] {} ({})", state_mark(s), s.id, s.role);
        if let Some(d) = s.due {
            line.push_str(&format!("  due {}", local(d)));
        }
        if s.overdue {
            line.push_str("  OVERDUE");
        } else if s.due_soon {
            line.push_str("  due soon");
        }
        if !s.blocked_by.is_empty() {
            line.push_str(&format!("  waits for {}", s.blocked_by.join(", ")));
        }
        if let Some(r) = &s.reason {
            line.push_str(&format!("  reason: {r}"));
        }
        say!("{line}");
    }
    if !v.archived_steps.is_empty() {
        say!("\narchived steps");
        for a in &v.archived_steps {
            say!("  [{}] {} (from {})", a.state, a.id, a.archived_from);
        }
    }
    if !v.next_actions.is_empty() {
        say!("\nnext actions");
        for (role, actions) in &v.next_actions {
            let steps: Vec<&str> = actions.iter().map(|a| a.step.as_str()).collect();
            say!("  {role}: {}", steps.join(", "));
        }
    }
}
