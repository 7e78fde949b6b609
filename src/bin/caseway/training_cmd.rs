//! `caseway training ...`: the training database next to the real one, fictional cases,
//! scenario walkthroughs and reset. Every command prints where the training database is and
//! never opens the real database.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use caseway::case::{CaseView, Engine, StepState};
use caseway::pack::{self, Facts, Pack};
use caseway::training::{
    self, FactsChoice, GenerateRequest, OpenedAgo, Scenario, TrainingError, Walkthrough,
};

use crate::case_cmd::{finish, local, now, print_json, Failure, Format};

impl From<TrainingError> for Failure {
    fn from(e: TrainingError) -> Self {
        Failure {
            code: if e.is_refusal() { 1 } else { 2 },
            message: e.to_string(),
        }
    }
}

#[derive(Args)]
pub struct TrainingArgs {
    #[command(subcommand)]
    command: TrainingCommand,
}

#[derive(Subcommand)]
enum TrainingCommand {
    /// Print where the training database is (next to the real one).
    Path,
    /// Generate fictional cases from a pack, opened in the past so deadlines are due or overdue.
    Generate {
        /// Pack `ID` (its highest active version) or `ID@VERSION`.
        #[arg(long)]
        pack: String,
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// A fact for every case, e.g. `abuse_types=sextortion,image_sharing` (repeatable).
        /// Without --random-seed the facts not given stay unanswered.
        #[arg(long = "fact", value_name = "KEY=VALUE")]
        facts: Vec<String>,
        /// Random answers to the facts not given with --fact; the same seed gives the same
        /// cases.
        #[arg(long, value_name = "S")]
        random_seed: Option<u64>,
        /// Hours before now the cases were opened: `30`, a list `2,30,200` (one per case, in
        /// turn) or a range `24-400` (random). Default: a random time in the last 3 weeks.
        #[arg(long, value_name = "H")]
        opened_hours_ago: Option<String>,
        /// Share of each case's applicable steps to finish, 0 to 1.
        #[arg(long, default_value_t = 0.35)]
        advance: f64,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Scenario files: list, check, run.
    Scenario(ScenarioArgs),
    /// Import a pack file into the training database; unsigned packs are accepted there.
    Import {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Delete the training database (only a file marked as training).
    Reset,
}

#[derive(Args)]
struct ScenarioArgs {
    #[command(subcommand)]
    command: ScenarioCommand,
}

#[derive(Subcommand)]
enum ScenarioCommand {
    /// List the shipped scenarios (and those in --dir).
    List {
        /// Also list the scenario files (*.toml) in this folder.
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long, default_value = "en")]
        lang: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Check scenario files against their pack.
    Check {
        /// Scenario files or shipped scenario ids.
        #[arg(required = true)]
        scenarios: Vec<String>,
    },
    /// Open the scenario's fictional case in the training database and apply beats 1..N;
    /// prints the beat's note and the checklist.
    Run {
        /// A scenario file or a shipped scenario id.
        scenario: String,
        /// The beat to stop after (0 = just opened; default: the last).
        #[arg(long)]
        to: Option<usize>,
        #[arg(long, default_value = "en")]
        lang: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

pub fn run(db: Option<PathBuf>, args: TrainingArgs) -> ExitCode {
    finish(run_inner(db, args))
}

fn real_path(db: Option<PathBuf>) -> Result<PathBuf, Failure> {
    caseway::paths::database_path(db)
        .ok_or_else(|| Failure::usage("no home directory found; pass --db PATH or set CASEWAY_DB"))
}

/// Prints where the training database is: on stdout for text output, on stderr for JSON.
fn announce(path: &Path, format: Format) {
    let line = format!("training database: {}", path.display());
    match format {
        Format::Text => println!("{line}"),
        Format::Json => eprintln!("{line}"),
    }
}

fn run_inner(db: Option<PathBuf>, args: TrainingArgs) -> Result<(), Failure> {
    let real = real_path(db)?;
    let path = training::training_db_path(&real)?;
    match args.command {
        TrainingCommand::Path => {
            println!("{}", path.display());
            Ok(())
        }
        TrainingCommand::Reset => {
            announce(&path, Format::Text);
            let removed = training::reset_training(&real)?;
            if removed.is_empty() {
                println!("no training database to delete");
            }
            for f in removed {
                println!("deleted {}", f.display());
            }
            Ok(())
        }
        TrainingCommand::Import { file, format } => {
            announce(&path, format);
            let source = std::fs::read_to_string(&file)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", file.display())))?;
            let sig_path = PathBuf::from(format!("{}.minisig", file.display()));
            let signature = std::fs::read_to_string(&sig_path).ok();
            let now = now()?;
            let mut engine = training::open_training(&real, now)?;
            let out = training::import_training_pack(
                &mut engine,
                &file.display().to_string(),
                &source,
                signature.as_deref(),
                now,
            )?;
            if format == Format::Json {
                return print_json(&out);
            }
            for w in &out.warnings {
                println!("warning: {w}");
            }
            println!(
                "{}: {} ({})",
                if out.new { "saved" } else { "already present" },
                out.key,
                out.origin.as_str()
            );
            Ok(())
        }
        TrainingCommand::Generate {
            pack,
            count,
            facts,
            random_seed,
            opened_hours_ago,
            advance,
            format,
        } => {
            announce(&path, format);
            let now = now()?;
            let mut engine = training::open_training(&real, now)?;
            let key = engine.resolve_pack(&pack)?.key;
            let p = engine.pack(&key)?;
            let given = parse_facts(&p, &facts)?;
            let seed = random_seed.unwrap_or_else(|| now.timestamp().unsigned_abs());
            let facts = if random_seed.is_some() || given.is_empty() {
                FactsChoice::Random { fixed: given }
            } else {
                FactsChoice::Given(given)
            };
            let opened = match opened_hours_ago {
                Some(s) => parse_opened(&s)?,
                None => OpenedAgo::Range {
                    min: 1,
                    max: 21 * 24,
                },
            };
            let request = GenerateRequest {
                pack: key,
                count,
                facts,
                opened_hours_ago: opened,
                advance,
                seed,
            };
            let cases = training::generate_cases(&mut engine, &request, now)?;
            match format {
                Format::Json => print_json(&cases)?,
                Format::Text => {
                    println!("seed {seed}");
                    for c in &cases {
                        println!(
                            "{}  opened {}  {} done{}",
                            c.reference,
                            local(c.opened_at),
                            c.done.len(),
                            c.in_progress
                                .as_deref()
                                .map(|s| format!(", {s} in progress"))
                                .unwrap_or_default()
                        );
                    }
                }
            }
            Ok(())
        }
        TrainingCommand::Scenario(ScenarioArgs { command }) => match command {
            ScenarioCommand::List { dir, lang, format } => {
                let mut all = training::shipped_scenarios().map_err(TrainingError::from)?;
                if let Some(dir) = dir {
                    all.extend(scenarios_in(&dir)?);
                }
                match format {
                    Format::Json => print_json(&all)?,
                    Format::Text => {
                        for s in &all {
                            println!(
                                "{}  {}  ({} beats, {})  [{}]",
                                s.id,
                                s.title_in(&lang),
                                s.beats.len(),
                                s.pack,
                                s.file
                            );
                        }
                    }
                }
                Ok(())
            }
            ScenarioCommand::Check { scenarios } => {
                let clock = now()?;
                let mut failed = 0;
                for arg in &scenarios {
                    match find_scenario(arg).and_then(|s| {
                        let pack = pack_for(&s, &real, clock)?;
                        s.check(&pack).map_err(TrainingError::from)?;
                        Ok(s)
                    }) {
                        Ok(s) => println!("{}: ok ({} beats)", s.file, s.beats.len()),
                        Err(e) => {
                            failed += 1;
                            eprintln!("error: {e}");
                        }
                    }
                }
                if failed > 0 {
                    return Err(Failure::refused(format!(
                        "{failed} of {} scenarios have errors",
                        scenarios.len()
                    )));
                }
                Ok(())
            }
            ScenarioCommand::Run {
                scenario,
                to,
                lang,
                format,
            } => {
                announce(&path, format);
                let scenario = find_scenario(&scenario)?;
                let now = now()?;
                let mut engine = training::open_training(&real, now)?;
                let to = to.unwrap_or(scenario.beats.len());
                let mut walk = Walkthrough::start(&mut engine, scenario, now)?;
                walk.goto(&mut engine, to)?;
                let view = walk.beat_view(&engine, &lang)?;
                match format {
                    Format::Json => print_json(&view)?,
                    Format::Text => print_beat(&engine, &walk, &view.case, &lang)?,
                }
                Ok(())
            }
        },
    }
}

fn parse_facts(pack: &Pack, raw: &[String]) -> Result<Facts, Failure> {
    let mut pairs = Vec::new();
    for s in raw {
        match s.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                pairs.push((k.trim().to_string(), v.to_string()))
            }
            _ => return Err(Failure::usage(format!("fact `{s}` must be KEY=VALUE"))),
        }
    }
    Ok(Engine::parse_facts(pack, &pairs)?)
}

fn parse_opened(s: &str) -> Result<OpenedAgo, Failure> {
    let bad = || {
        Failure::usage(format!(
            "--opened-hours-ago `{s}`: give hours as `30`, a list `2,30,200` or a range `24-400`"
        ))
    };
    let num = |t: &str| t.trim().parse::<u32>().map_err(|_| bad());
    if let Some((a, b)) = s.split_once('-') {
        return Ok(OpenedAgo::Range {
            min: num(a)?,
            max: num(b)?,
        });
    }
    let hours = s.split(',').map(num).collect::<Result<Vec<u32>, _>>()?;
    Ok(OpenedAgo::Each(hours))
}

/// A scenario file, or a shipped scenario by its id.
fn find_scenario(arg: &str) -> Result<Scenario, TrainingError> {
    let path = Path::new(arg);
    if path.exists() {
        return Ok(training::load_scenario(path)?);
    }
    let shipped = training::shipped_scenarios()?;
    let ids: Vec<String> = shipped.iter().map(|s| s.id.clone()).collect();
    shipped.into_iter().find(|s| s.id == arg).ok_or_else(|| {
        TrainingError::Invalid(format!(
            "no scenario file or shipped scenario `{arg}`; the shipped ones are: {}",
            ids.join(", ")
        ))
    })
}

fn scenarios_in(dir: &Path) -> Result<Vec<Scenario>, TrainingError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        TrainingError::Invalid(format!("cannot list the folder {}: {e}", dir.display()))
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| training::load_scenario(f).map_err(TrainingError::from))
        .collect()
}

/// The pack a scenario is written for: a shipped pack, else the one in the training database.
fn pack_for(
    s: &Scenario,
    real: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Pack, TrainingError> {
    for shipped in pack::shipped() {
        if let Ok(v) = pack::parse_pack(shipped.file_name, shipped.source) {
            if v.pack.key() == s.pack {
                return Ok(v.pack);
            }
        }
    }
    let engine = training::open_training(real, now)?;
    Ok((*engine.pack(&s.pack)?).clone())
}

fn mark(state: StepState, applicable: bool) -> &'static str {
    if !applicable {
        return "--";
    }
    match state {
        StepState::Todo => "  ",
        StepState::InProgress => "..",
        StepState::Done => "ok",
        StepState::NotApplicable => "na",
        StepState::Blocked => "!!",
    }
}

fn print_beat(
    engine: &Engine,
    walk: &Walkthrough,
    case: &CaseView,
    lang: &str,
) -> Result<(), Failure> {
    let s = walk.scenario();
    println!("scenario {}: {}", s.id, s.title_in(lang));
    println!(
        "case {}  beat {}/{}  at {} h after opening ({})",
        case.reference,
        walk.position(),
        walk.len(),
        walk.at_hours(),
        local(walk.clock())
    );
    println!("note: {}", walk.note(lang));
    let pack = engine.pack(&case.pack.key)?;
    let highlight = walk.highlighted_step();
    let mut phase = "";
    for step in &case.steps {
        if step.phase != phase {
            phase = &step.phase;
            let title = pack
                .phase(phase)
                .map_or(phase.to_string(), |p| pack.text(&p.title, lang).to_string());
            println!("\n{title}");
        }
        let pointer = if highlight == Some(step.id.as_str()) {
            ">>"
        } else {
            "  "
        };
        let mut line = format!(
            "{pointer}[{}] {:<34} {:<16} {}",
            mark(step.state, step.applicable),
            step.id,
            step.role,
            step.state
        );
        if let Some(d) = step.due {
            line.push_str(&format!("  due {}", local(d)));
        }
        if step.overdue {
            line.push_str("  OVERDUE");
        } else if step.due_soon {
            line.push_str("  due soon");
        }
        if let Some(r) = &step.reason {
            line.push_str(&format!("  ({r})"));
        }
        println!("{}", line.trim_end());
    }
    Ok(())
}
