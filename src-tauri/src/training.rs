//! Commands of training mode: a separate database with fictional cases, generated cases,
//! guided walkthroughs of shipped scenarios, and reset. Thin adapters over
//! `caseway::training`; every command here refuses to run outside training mode.

use caseway::training::{self, shipped_scenarios, GenerateRequest, OpenedAgo, Walkthrough};
use chrono::Utc;
use tauri::State;

use crate::dto::{ScenarioSummary, WalkthroughView};
use crate::error::{ApiError, ErrorCode};
use crate::state::{logged, AppState};

/// Enters or leaves training mode; the next command opens the matching database.
#[tauri::command(async)]
pub fn set_training_mode(state: State<'_, AppState>, on: bool) -> Result<bool, ApiError> {
    let started = std::time::Instant::now();
    let result = (|| {
        let mut inner = state.lock()?;
        inner.set_training(on);
        inner.engine(&state.database)?;
        Ok(inner.training())
    })();
    logged("set_training_mode", started, result)
}

/// Generates `count` fictional cases on `pack`, opened up to `max_hours_ago` hours ago so
/// deadlines are due or overdue; returns their references.
#[tauri::command(async)]
pub fn generate_training_cases(
    state: State<'_, AppState>,
    pack: String,
    count: u32,
    max_hours_ago: u32,
    seed: u64,
) -> Result<Vec<String>, ApiError> {
    let mut request = GenerateRequest::random(&pack, count, seed);
    request.opened_hours_ago = OpenedAgo::Range {
        min: 1,
        max: max_hours_ago.max(1),
    };
    state.with_training("generate_training_cases", |engine, _| {
        let cases = training::generate_cases(engine, &request, Utc::now())?;
        Ok(cases.into_iter().map(|c| c.reference).collect())
    })
}

/// Deletes the training database (only it) and starts a fresh one.
#[tauri::command(async)]
pub fn reset_training(state: State<'_, AppState>) -> Result<(), ApiError> {
    let mut inner = state.lock()?;
    if !inner.training() {
        return Err(ApiError::new(
            ErrorCode::Refused,
            "reset works in training mode only",
        ));
    }
    inner.close();
    training::reset_training(&state.database)?;
    inner.engine(&state.database)?;
    Ok(())
}

#[tauri::command(async)]
pub fn list_scenarios(lang: String) -> Result<Vec<ScenarioSummary>, ApiError> {
    Ok(shipped_scenarios()
        .map_err(training::TrainingError::from)?
        .iter()
        .map(|s| ScenarioSummary {
            id: s.id.clone(),
            title: s.title_in(&lang).to_string(),
            summary: s.summary_in(&lang).to_string(),
            pack: s.pack.clone(),
            beats: s.beats.len(),
        })
        .collect())
}

/// Starts a walkthrough of a shipped scenario on a new fictional case.
#[tauri::command(async)]
pub fn start_walkthrough(
    state: State<'_, AppState>,
    id: String,
    lang: String,
) -> Result<WalkthroughView, ApiError> {
    let scenario = shipped_scenarios()
        .map_err(training::TrainingError::from)?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| ApiError::new(ErrorCode::Refused, format!("no scenario {id}")))?;
    state.with_training("start_walkthrough", |engine, running| {
        let walk = Walkthrough::start(engine, scenario, Utc::now())?;
        let view = walk.beat_view(engine, &lang)?;
        *running = Some(walk);
        Ok(WalkthroughView::from(&view))
    })
}

/// Moves the walkthrough to beat `position` (0 = the case as opened) and shows it.
#[tauri::command(async)]
pub fn walkthrough_goto(
    state: State<'_, AppState>,
    position: usize,
    lang: String,
) -> Result<WalkthroughView, ApiError> {
    state.with_training("walkthrough_goto", |engine, running| {
        let walk = running.as_mut().ok_or_else(|| {
            training::TrainingError::Invalid(
                "no walkthrough is running; start a scenario first".into(),
            )
        })?;
        walk.goto(engine, position)?;
        Ok(WalkthroughView::from(&walk.beat_view(engine, &lang)?))
    })
}
