//! Commands of the statistics export: a preview of the anonymised tables and saving them to a
//! file the user chooses. Thin adapters over `Engine::stats_export`.

use std::path::PathBuf;

use caseway::privacy::stats::{Period, StatsOptions};
use chrono::{NaiveDate, Utc};
use tauri::{AppHandle, Runtime, State};

use crate::dto::{StatsPreview, StatsQuery};
use crate::error::{ApiError, ErrorCode};
use crate::state::{logged, AppState};

fn options(q: &StatsQuery) -> Result<StatsOptions, ApiError> {
    let date = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            ApiError::new(
                ErrorCode::Refused,
                format!("`{s}` is not a date; use YYYY-MM-DD"),
            )
        })
    };
    let mut o = StatsOptions::new(date(&q.from)?, date(&q.to)?, Utc::now());
    o.k = q.k;
    o.period = match q.period.as_str() {
        "quarter" => Period::Quarter,
        _ => Period::Month,
    };
    Ok(o)
}

#[tauri::command(async)]
pub fn stats_preview(
    state: State<'_, AppState>,
    query: StatsQuery,
) -> Result<StatsPreview, ApiError> {
    let options = options(&query)?;
    state.with_engine("stats_preview", |e| {
        Ok(StatsPreview::from(&e.stats_export(&options)?))
    })
}

/// Where to save: the system dialog, or in debug builds `CASEWAY_E2E_SAVE_FILE` (so the
/// end-to-end tests need no native dialog).
fn pick_destination<R: Runtime>(app: &AppHandle<R>, csv: bool) -> Option<PathBuf> {
    if cfg!(debug_assertions) {
        if let Some(path) = std::env::var_os("CASEWAY_E2E_SAVE_FILE") {
            return Some(PathBuf::from(path));
        }
    }
    use tauri_plugin_dialog::DialogExt;
    let (name, ext) = if csv {
        ("CSV", "csv")
    } else {
        ("JSON", "json")
    };
    app.dialog()
        .file()
        .add_filter(name, &[ext])
        .set_file_name(format!("caseway-statistics.{ext}"))
        .blocking_save_file()
        .and_then(|f| f.into_path().ok())
}

/// Saves the export as CSV or JSON where the user chooses; returns the file written, or
/// nothing when the dialog was cancelled.
#[tauri::command(async)]
pub fn stats_save<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    query: StatsQuery,
    format: String,
) -> Result<Option<String>, ApiError> {
    let started = std::time::Instant::now();
    let result = (|| {
        let options = options(&query)?;
        let csv = format != "json";
        let report = state.with_engine("stats_export", |e| e.stats_export(&options))?;
        let Some(path) = pick_destination(&app, csv) else {
            return Ok(None);
        };
        let text = if csv {
            report.to_csv()
        } else {
            report.to_json()
        };
        std::fs::write(&path, text).map_err(|e| {
            ApiError::new(
                ErrorCode::Refused,
                format!("cannot write {}: {e}", path.display()),
            )
        })?;
        Ok(Some(path.display().to_string()))
    })();
    logged("stats_save", started, result)
}
