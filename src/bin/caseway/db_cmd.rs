//! `caseway db ...`: check, verify, back up, restore and purge the local database.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::case_cmd::{finish, local, now, open_store, print_json, say, Failure, Format};

#[derive(Args)]
pub struct DbArgs {
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(Subcommand)]
enum DbCommand {
    /// SQLite integrity check, audit chain, and stored state against the audit trail.
    /// Exit 0 sound, 1 a problem was found.
    Check {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Recompute the audit trail's hash chains; names the first event that does not match.
    /// Exit 0 intact, 1 tampered or damaged.
    Verify {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Write a consistent copy of the database to PATH (a new file).
    Backup { path: PathBuf },
    /// Replace the database with the backup at PATH (checked first).
    Restore { path: PathBuf },
    /// Remove closed cases whose retention period is over (see what with --dry-run).
    Purge {
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

pub fn run(db: Option<PathBuf>, args: DbArgs) -> ExitCode {
    finish(run_inner(db, args))
}

fn run_inner(db: Option<PathBuf>, args: DbArgs) -> Result<(), Failure> {
    let now = now()?;
    let mut engine = open_store(db)?;
    match args.command {
        DbCommand::Check { format } => {
            let report = engine.check()?;
            if format == Format::Json {
                print_json(&serde_json::json!({"ok": report.is_ok(), "report": report}))?;
            } else {
                for p in &report.integrity {
                    say!("integrity: {p}");
                }
                if let Some(b) = &report.chain.first_break {
                    say!("audit trail: {b}");
                }
                for m in &report.mismatches {
                    say!("state: {m}");
                }
                if report.is_ok() {
                    say!(
                        "ok: database sound, {} audit events in {} chains intact, stored state matches the audit trail",
                        report.chain.events, report.chain.chains
                    );
                }
            }
            if report.is_ok() {
                Ok(())
            } else {
                Err(Failure::refused(
                    "the database check found problems (listed above)",
                ))
            }
        }
        DbCommand::Verify { format } => {
            let report = engine.verify()?;
            if format == Format::Json {
                print_json(
                    &serde_json::json!({"ok": report.first_break.is_none(), "report": report}),
                )?;
            } else if report.first_break.is_none() {
                say!(
                    "ok: {} audit events in {} chains, every hash matches",
                    report.events,
                    report.chains
                );
            }
            match &report.first_break {
                None => Ok(()),
                Some(b) => Err(Failure::refused(format!("audit trail broken at {b}"))),
            }
        }
        DbCommand::Backup { path } => {
            engine.backup(&path)?;
            say!("saved: backup written to {}", path.display());
            Ok(())
        }
        DbCommand::Restore { path } => {
            engine.restore(&path)?;
            say!("saved: database restored from {}", path.display());
            Ok(())
        }
        DbCommand::Purge { dry_run, format } => {
            let items = if dry_run {
                engine.purge_preview(now)?
            } else {
                engine.purge(now)?
            };
            if format == Format::Json {
                return print_json(&serde_json::json!({"dry_run": dry_run, "cases": items}));
            }
            if items.is_empty() {
                say!("nothing to purge: no closed case is past its retention period");
            }
            for i in &items {
                say!(
                    "{} {}  ({}, closed {}, retention over {}, {} events, {} steps)",
                    if dry_run { "would remove" } else { "removed" },
                    i.reference,
                    i.pack,
                    local(i.closed_at),
                    local(i.purge_after),
                    i.events,
                    i.steps
                );
            }
            Ok(())
        }
    }
}
