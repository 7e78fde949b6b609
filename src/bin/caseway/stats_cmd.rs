//! `caseway stats export`: the anonymised statistics of the real cases, for regional data
//! collection. The file holds pack versions, months or quarters, category labels, counts,
//! shares and medians only: no case reference, no free text, no exact date.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};

use caseway::privacy::stats::{Period, StatsOptions};

use crate::case_cmd::{finish, now, open_engine, say, Failure};

#[derive(Args)]
pub struct StatsArgs {
    #[command(subcommand)]
    command: StatsCommand,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    /// Long format: `table,pack,period,column,value`, one line per cell.
    Csv,
    /// The whole report: tables with their columns and rows.
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PeriodArg {
    Month,
    Quarter,
}

#[derive(Subcommand)]
enum StatsCommand {
    /// Export the anonymised statistics of the cases opened from --from to --to
    /// (inclusive): per pack version and month or quarter, cases by online element, age
    /// band and form of abuse, the share of steps done on time per role, and the median
    /// days to the forensic interview, the medical examination and the start of therapy.
    /// Counts from 1 to k-1 are shown as `<k`, with further cells hidden (`x` or `<k`) so
    /// none can be worked out from the totals. Training cases are left out.
    #[command(
        after_help = "Exit codes: 0 written, 1 refused (k = 0, --from after --to, --out exists without --force), 2 usage or I/O error.\nThe deadlines count as missed only if they passed by \"now\" (CASEWAY_NOW or the system clock)."
    )]
    Export {
        /// First opening date to include (YYYY-MM-DD, UTC).
        #[arg(long, value_name = "DATE")]
        from: NaiveDate,
        /// Last opening date to include (YYYY-MM-DD, UTC).
        #[arg(long, value_name = "DATE")]
        to: NaiveDate,
        /// Smallest count shown; smaller counts are suppressed.
        #[arg(long, default_value_t = 5)]
        k: u64,
        /// Group the cases by the month or the quarter they were opened.
        #[arg(long, value_enum, default_value = "month")]
        period: PeriodArg,
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// File to write; `-` writes to standard output.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(db: Option<PathBuf>, args: StatsArgs) -> ExitCode {
    finish(run_inner(db, args))
}

fn run_inner(db: Option<PathBuf>, args: StatsArgs) -> Result<(), Failure> {
    let StatsCommand::Export {
        from,
        to,
        k,
        period,
        format,
        out,
        force,
    } = args.command;
    let to_stdout = out.as_os_str() == "-";
    if !to_stdout && !force && out.exists() {
        return Err(Failure::refused(format!(
            "{} already exists; choose another --out or pass --force to replace it",
            out.display()
        )));
    }
    let now = now()?;
    let engine = open_engine(db, now)?;
    let mut options = StatsOptions::new(from, to, now);
    options.k = k;
    options.period = match period {
        PeriodArg::Month => Period::Month,
        PeriodArg::Quarter => Period::Quarter,
    };
    let report = engine.stats_export(&options)?;
    let text = match format {
        ExportFormat::Csv => report.to_csv(),
        ExportFormat::Json => {
            let mut s = report.to_json();
            s.push('\n');
            s
        }
    };
    if to_stdout {
        // A closed pipe (`| head`) ends the output quietly.
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        return Ok(());
    }
    write_file(&out, &text)?;
    let groups = report
        .tables
        .first()
        .map_or(0, |t| t.rows.len().saturating_sub(1));
    say!(
        "wrote {} tables for {groups} pack version and period groups (k = {k}) to {}",
        report.tables.len(),
        out.display()
    );
    Ok(())
}

/// Writes `text` to a new file next to `path`, then renames it over `path`, so a failed
/// write never leaves half an export behind.
fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    let io = |e: std::io::Error| Failure::usage(format!("cannot write {}: {e}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Failure::usage(format!("--out {} is not a file name", path.display())))?;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(text.as_bytes())?;
        f.sync_all()
    });
    if let Err(e) = result.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(())
}
