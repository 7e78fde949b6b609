//! The one error type that crosses into the window: `{ code, message }`.
//!
//! The codes are a closed list the UI acts on; the message is for people and says what to do.

use serde::Serialize;
use ts_rs::TS;

/// What the UI switches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum ErrorCode {
    /// The database could not be opened or used; the window shows what to do.
    Database,
    /// Anything else: a bug or an unexpected condition, shown as a message.
    Internal,
}

#[derive(Debug, Clone, Serialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}
