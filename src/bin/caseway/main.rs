//! `caseway`: the command line for coordinators, trainers and scripts.
//!
//! Exit codes (a contract scripts depend on): 0 done, 1 refused or invalid, 2 usage or I/O error.
//! Each command group lives in its own module and is a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "caseway", version, about = "Inter-agency protocol checklists for Barnahus teams")]
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
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
