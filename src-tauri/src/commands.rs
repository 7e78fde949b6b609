//! Tauri commands: thin adapters that take the app state, call one engine function and map
//! the error. No rules and no SQL here.

use tauri::State;

use crate::dto::AppInfo;
use crate::error::ApiError;
use crate::AppState;

#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, ApiError> {
    Ok(AppInfo {
        engine_version: caseway::VERSION.to_string(),
        database: state.database.display().to_string(),
    })
}
