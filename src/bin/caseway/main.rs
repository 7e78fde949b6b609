//! `caseway`: the command line for coordinators, trainers and scripts.
//!
//! Exit codes (a contract scripts depend on): 0 done, 1 refused or invalid, 2 usage or I/O error.
//! Each command group lives in its own module and is a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod case_cmd;
mod db_cmd;
mod keys_cmd;
mod pack_cmd;
mod stats_cmd;
mod training_cmd;

#[derive(Parser)]
#[command(
    name = "caseway",
    version,
    about = "Inter-agency protocol checklists for Barnahus teams"
)]
struct Cli {
    /// Database file (default: the platform's data directory; also `CASEWAY_DB`).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show where Caseway keeps its data.
    Paths,
    /// Protocol packs: validate, show, diff, schema, sign, verify files; import, list,
    /// activate, retire versions in the database.
    Pack(pack_cmd::PackArgs),
    /// Cases: open, list, show, change steps and facts, migrate, close, reopen.
    Case(case_cmd::CaseArgs),
    /// The local database: check, verify, backup, restore, purge.
    Db(db_cmd::DbArgs),
    /// Trusted pack signing keys: add, list, remove.
    Keys(keys_cmd::KeysArgs),
    /// Training mode: a separate database, fictional cases, scenario walkthroughs, reset.
    Training(training_cmd::TrainingArgs),
    /// Anonymised statistics of the real cases: export for regional data collection.
    Stats(stats_cmd::StatsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Case(args) => case_cmd::run(cli.db, args),
        Command::Db(args) => db_cmd::run(cli.db, args),
        Command::Keys(args) => keys_cmd::run(cli.db, args),
        Command::Pack(args) => pack_cmd::run(cli.db, args),
        Command::Training(args) => training_cmd::run(cli.db, args),
        Command::Stats(args) => stats_cmd::run(cli.db, args),
        Command::Paths => {
            match caseway::paths::database_path(cli.db) {
                Some(p) => println!("database: {}", p.display()),
                None => {
                    eprintln!("error: no home directory found; pass --db PATH or set CASEWAY_DB");
                    return ExitCode::from(2);
                }
            }
            ExitCode::SUCCESS
        }
    }
}
