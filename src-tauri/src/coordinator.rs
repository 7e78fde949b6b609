//! Commands of the coordinator's pack manager: installed versions, import through the
//! system file dialog, trusted keys, activation and retirement, case migration. Thin
//! adapters over the engine.

use std::path::{Path, PathBuf};

use caseway::case::{CaseFilter, CaseStatus};
use caseway::pack::PackStatus;
use chrono::Utc;
use tauri::{AppHandle, Runtime, State};

use crate::dto::{
    ActorInput, CaseDetail, MigrationPlan, PackInspectionView, PackSummary, SigningKey,
};
use crate::error::{ApiError, ErrorCode};
use crate::state::{logged, AppState};

/// Pack files above this size are refused before reading (the format's own limit).
const MAX_PACK_FILE: u64 = caseway::pack::MAX_FILE_SIZE as u64;

fn read_pack(path: &Path) -> Result<(String, String, Option<String>), ApiError> {
    let io = |e: std::io::Error| {
        ApiError::new(
            ErrorCode::Refused,
            format!("cannot read {}: {e}", path.display()),
        )
    };
    if std::fs::metadata(path).map_err(io)?.len() > MAX_PACK_FILE {
        return Err(ApiError::new(
            ErrorCode::Refused,
            format!("{} is larger than a pack may be (5 MiB)", path.display()),
        ));
    }
    let source = String::from_utf8(std::fs::read(path).map_err(io)?).map_err(|_| {
        ApiError::new(
            ErrorCode::Refused,
            format!("{} is not UTF-8 text; save it as UTF-8", path.display()),
        )
    })?;
    let mut sig_path = path.as_os_str().to_owned();
    sig_path.push(".minisig");
    let signature = std::fs::read_to_string(PathBuf::from(sig_path)).ok();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((name, source, signature))
}

/// Asks for a pack file in the system dialog. In debug builds `CASEWAY_E2E_PICK_FILE` answers
/// instead, so end-to-end tests can choose a file without a native dialog.
fn pick_file<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    if cfg!(debug_assertions) {
        if let Some(path) = std::env::var_os("CASEWAY_E2E_PICK_FILE") {
            return Some(PathBuf::from(path));
        }
    }
    use tauri_plugin_dialog::DialogExt;
    app.dialog()
        .file()
        .add_filter("Protocol pack", &["toml"])
        .blocking_pick_file()
        .and_then(|f| f.into_path().ok())
}

#[tauri::command(async)]
pub fn list_packs(state: State<'_, AppState>, lang: String) -> Result<Vec<PackSummary>, ApiError> {
    state.with_engine("list_packs", |e| {
        let open = e.open_cases_per_pack()?;
        e.list_packs()?
            .iter()
            .map(|r| {
                let count = open.get(&r.key).copied().unwrap_or(0);
                Ok(PackSummary::of(r, &*e.pack(&r.key)?, &lang, count))
            })
            .collect()
    })
}

/// Opens the file dialog and inspects the chosen pack; `None` when the dialog was cancelled.
#[tauri::command(async)]
pub fn choose_pack_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    lang: String,
) -> Result<Option<PackInspectionView>, ApiError> {
    let started = std::time::Instant::now();
    logged(
        "choose_pack_file",
        started,
        inspect_chosen(&app, &state, &lang),
    )
}

fn inspect_chosen<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    lang: &str,
) -> Result<Option<PackInspectionView>, ApiError> {
    let Some(path) = pick_file(app) else {
        return Ok(None);
    };
    let (name, source, signature) = read_pack(&path)?;
    let mut inner = state.lock()?;
    inner.chosen_pack = Some(path);
    let inspection =
        inner
            .engine(&state.database)?
            .inspect_pack(&name, &source, signature.as_deref())?;
    Ok(Some(PackInspectionView::of(&inspection, &source, lang)))
}

/// Imports the pack file chosen last. Unsigned packs are accepted in training mode only.
#[tauri::command(async)]
pub fn import_chosen_pack(state: State<'_, AppState>) -> Result<PackSummary, ApiError> {
    let started = std::time::Instant::now();
    logged("import_chosen_pack", started, import_chosen(&state))
}

fn import_chosen(state: &AppState) -> Result<PackSummary, ApiError> {
    let mut inner = state.lock()?;
    let path = inner
        .chosen_pack
        .clone()
        .ok_or_else(|| ApiError::new(ErrorCode::Refused, "choose a pack file first"))?;
    let (name, source, signature) = read_pack(&path)?;
    let training = inner.training();
    let e = inner.engine(&state.database)?;
    let outcome = e.import_pack(&name, &source, signature.as_deref(), training, Utc::now())?;
    let record = e
        .list_packs()?
        .into_iter()
        .find(|r| r.key == outcome.key)
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the imported pack is not listed"))?;
    let pack = e.pack(&record.key)?;
    Ok(PackSummary::of(&record, &pack, &pack.default_language, 0))
}

#[tauri::command(async)]
pub fn set_pack_status(
    state: State<'_, AppState>,
    key: String,
    status: String,
) -> Result<(), ApiError> {
    let status = match status.as_str() {
        "active" => PackStatus::Active,
        "retired" => PackStatus::Retired,
        "draft" => PackStatus::Draft,
        other => {
            return Err(ApiError::new(
                ErrorCode::Refused,
                format!("unknown status `{other}`; use active, retired or draft"),
            ))
        }
    };
    state.with_engine("set_pack_status", |e| {
        e.set_pack_status(&key, status, Utc::now()).map(|_| ())
    })
}

#[tauri::command(async)]
pub fn list_keys(state: State<'_, AppState>) -> Result<Vec<SigningKey>, ApiError> {
    state.with_engine("list_keys", |e| {
        Ok(e.list_keys()?.iter().map(SigningKey::from).collect())
    })
}

#[tauri::command(async)]
pub fn add_key(state: State<'_, AppState>, text: String) -> Result<SigningKey, ApiError> {
    state.with_engine("add_key", |e| {
        Ok(SigningKey::from(&e.add_key(&text, Utc::now())?))
    })
}

#[tauri::command(async)]
pub fn remove_key(state: State<'_, AppState>, key_id: String) -> Result<(), ApiError> {
    state.with_engine("remove_key", |e| e.remove_key(&key_id, Utc::now()))
}

#[tauri::command(async)]
pub fn migration_preview(
    state: State<'_, AppState>,
    reference: String,
    to: String,
) -> Result<MigrationPlan, ApiError> {
    state.with_engine("migration_preview", |e| {
        Ok(MigrationPlan::from(&e.migrate_preview(&reference, &to)?))
    })
}

/// Moves one case to another version of its pack.
#[tauri::command(async)]
pub fn migrate_case(
    state: State<'_, AppState>,
    reference: String,
    to: String,
    actor_input: ActorInput,
) -> Result<CaseDetail, ApiError> {
    state.with_engine("migrate_case", |e| {
        let actor = crate::commands::actor(actor_input);
        e.migrate(&reference, &to, &actor, Utc::now())?;
        Ok(CaseDetail::from(&e.case_view(&reference, Utc::now())?))
    })
}

/// The open cases on `from`, each with what moving it to `to` would do.
#[tauri::command(async)]
pub fn bulk_migration_preview(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<Vec<MigrationPlan>, ApiError> {
    state.with_engine("bulk_migration_preview", |e| {
        let filter = CaseFilter {
            status: Some(CaseStatus::Open),
            ..Default::default()
        };
        e.case_list(&filter, Utc::now())?
            .iter()
            .filter(|c| c.pack.key == from)
            .map(|c| Ok(MigrationPlan::from(&e.migrate_preview(&c.reference, &to)?)))
            .collect()
    })
}
