//! Tauri commands: thin adapters that take the app state, call the engine and convert the
//! result for the window. No rules and no SQL here.

use std::collections::BTreeMap;

use caseway::case::{Actor, CaseFilter, CaseStatus, NewCase, StepChangeRequest, StepState};
use caseway::pack::Facts;
use chrono::Utc;
use tauri::{Runtime, State};

use crate::dto::{
    ActorInput, AppInfo, CaseDetail, CaseLine, CaseQuery, FactAnswer, NewCaseInput, PackOutline,
    StepChangeInput, TrailEntry,
};
use crate::error::ApiError;
use crate::state::AppState;

pub(crate) fn actor(a: ActorInput) -> Actor {
    Actor {
        role: Some(a.role),
        initials: a.initials.filter(|i| !i.trim().is_empty()),
    }
}

fn facts(input: BTreeMap<String, FactAnswer>) -> Facts {
    input.into_iter().map(|(k, v)| (k, v.into())).collect()
}

#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, ApiError> {
    state.with_engine("app_info", |_| Ok(()))?;
    let (training, database) = state.current_mode()?;
    Ok(AppInfo {
        engine_version: caseway::VERSION.to_string(),
        database: database.display().to_string(),
        training,
    })
}

#[tauri::command(async)]
pub fn pack_outline(
    state: State<'_, AppState>,
    key: String,
    lang: String,
) -> Result<PackOutline, ApiError> {
    state.with_engine("pack_outline", |e| {
        Ok(PackOutline::of(&*e.pack(&key)?, &lang))
    })
}

#[tauri::command(async)]
pub fn case_list(state: State<'_, AppState>, query: CaseQuery) -> Result<Vec<CaseLine>, ApiError> {
    let filter = CaseFilter {
        status: CaseStatus::parse(&query.status),
        overdue_only: query.overdue_only,
        role: query.role.clone().filter(|_| query.mine_only),
        counts_only: true,
    };
    state.with_engine("case_list", |e| {
        e.case_list(&filter, Utc::now())?
            .iter()
            .map(|c| {
                let pack = e.pack(&c.pack.key)?;
                let title = pack
                    .title
                    .get(&query.lang, &pack.default_language)
                    .to_string();
                Ok(CaseLine::of(c, title, query.role.as_deref()))
            })
            .collect()
    })
}

#[tauri::command(async)]
pub fn open_case(state: State<'_, AppState>, input: NewCaseInput) -> Result<CaseDetail, ApiError> {
    let new = NewCase {
        pack: input.pack,
        facts: facts(input.facts),
        label: input.label.filter(|l| !l.trim().is_empty()),
        actor: actor(input.actor),
    };
    state.with_engine("open_case", |e| {
        Ok(CaseDetail::from(&e.open_case(&new, Utc::now())?))
    })
}

#[tauri::command(async)]
pub fn case_detail(state: State<'_, AppState>, reference: String) -> Result<CaseDetail, ApiError> {
    state.with_engine("case_detail", |e| {
        Ok(CaseDetail::from(&e.case_view(&reference, Utc::now())?))
    })
}

#[tauri::command(async)]
pub fn change_step(
    state: State<'_, AppState>,
    input: StepChangeInput,
) -> Result<CaseDetail, ApiError> {
    state.with_engine("change_step", |e| {
        let now = Utc::now();
        let change = StepChangeRequest {
            step: input.step,
            state: StepState::parse(&input.state)?,
            role: input.actor.role,
            initials: input.actor.initials.filter(|i| !i.trim().is_empty()),
            reason: input.reason.filter(|r| !r.trim().is_empty()),
            note: input.note.filter(|n| !n.trim().is_empty()),
            record: input.record,
        };
        e.set_step_state(&input.reference, &change, now)?;
        Ok(CaseDetail::from(&e.case_view(&input.reference, now)?))
    })
}

#[tauri::command(async)]
pub fn add_note(
    state: State<'_, AppState>,
    reference: String,
    step: String,
    note: String,
    actor_input: ActorInput,
) -> Result<CaseDetail, ApiError> {
    state.with_engine("add_note", |e| {
        let now = Utc::now();
        e.add_note(&reference, &step, &actor(actor_input), &note, now)?;
        Ok(CaseDetail::from(&e.case_view(&reference, now)?))
    })
}

#[tauri::command(async)]
pub fn set_facts(
    state: State<'_, AppState>,
    reference: String,
    answers: BTreeMap<String, FactAnswer>,
    actor_input: ActorInput,
) -> Result<CaseDetail, ApiError> {
    state.with_engine("set_facts", |e| {
        let change = e.set_facts(&reference, &facts(answers), &actor(actor_input), Utc::now())?;
        Ok(CaseDetail::from(&change.case))
    })
}

#[tauri::command(async)]
pub fn close_case(
    state: State<'_, AppState>,
    reference: String,
    reason: String,
    actor_input: ActorInput,
) -> Result<CaseDetail, ApiError> {
    state.with_engine("close_case", |e| {
        Ok(CaseDetail::from(&e.close_case(
            &reference,
            &reason,
            &actor(actor_input),
            Utc::now(),
        )?))
    })
}

#[tauri::command(async)]
pub fn reopen_case(
    state: State<'_, AppState>,
    reference: String,
    reason: String,
    actor_input: ActorInput,
) -> Result<CaseDetail, ApiError> {
    state.with_engine("reopen_case", |e| {
        Ok(CaseDetail::from(&e.reopen_case(
            &reference,
            &reason,
            &actor(actor_input),
            Utc::now(),
        )?))
    })
}

#[tauri::command(async)]
pub fn case_trail(
    state: State<'_, AppState>,
    reference: String,
) -> Result<Vec<TrailEntry>, ApiError> {
    state.with_engine("case_trail", |e| {
        Ok(e.timeline(&reference)?
            .iter()
            .rev()
            .map(TrailEntry::from)
            .collect())
    })
}

/// The window calls this once its first screen with data is on screen. With the environment
/// variable `CASEWAY_REPORT_READY` set it prints `ready <milliseconds since start>` on standard
/// output, once (`scripts/bench-app` reads it), and, if `CASEWAY_REPORT_OPEN_CASE` names a
/// case, then opens that case's screen (the benchmark's memory reading without WebDriver);
/// otherwise it does nothing.
#[tauri::command]
pub fn ui_ready<R: Runtime>(webview: tauri::Webview<R>) {
    static REPORTED: std::sync::Once = std::sync::Once::new();
    if std::env::var_os("CASEWAY_REPORT_READY").is_none() {
        return;
    }
    REPORTED.call_once(|| {
        println!("ready {}", crate::started().elapsed().as_millis());
        let open = std::env::var("CASEWAY_REPORT_OPEN_CASE").unwrap_or_default();
        if caseway::privacy::is_reference(&open) {
            let _ = webview.eval(format!("location.hash = \"case={open}\";"));
        }
    });
}
