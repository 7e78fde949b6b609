//! The pack file format as serde types, for the JSON Schema editors use for completion
//! (`caseway pack schema`, committed as `protocols/pack.schema.json`).
//!
//! Validation itself reads the spanned TOML tree (see `validate.rs`) so it can report every
//! problem with its position; these types describe the same fields, and a test keeps the two
//! in step.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

/// A Caseway protocol pack: one version of one inter-agency protocol.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Caseway protocol pack")]
pub struct PackDocument {
    /// Version of the file format; Caseway refuses newer formats.
    #[schemars(range(min = 1, max = 1))]
    pub format: u32,
    pub pack: PackHeader,
    /// At least one role; ids are referenced by steps.
    #[schemars(length(min = 1))]
    pub role: Vec<Entity>,
    /// Ordered; steps are shown grouped by phase.
    #[serde(default)]
    pub phase: Vec<Entity>,
    /// Case characteristics asked when a case is opened.
    #[serde(default)]
    pub fact: Vec<FactDoc>,
    #[serde(default)]
    pub step: Vec<StepDoc>,
}

/// `[pack]`: identity and metadata.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackHeader {
    /// Stable across versions: lowercase a-z, 0-9 and '-', 3 to 64 characters.
    #[schemars(pattern(r"^[a-z0-9-]{3,64}$"))]
    pub id: String,
    /// Semantic version; a case pins to id + exact version.
    #[schemars(example = "1.0.0")]
    pub version: String,
    pub status: Status,
    pub title: TextDoc,
    pub summary: Option<TextDoc>,
    pub publisher: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[schemars(pattern(r"^[A-Za-z]{2}$"))]
    pub jurisdiction: Option<String>,
    /// With status = active: the date from which this version is in force (YYYY-MM-DD).
    #[schemars(pattern(r"^\d{4}-\d{2}-\d{2}$"))]
    pub effective: Option<String>,
    /// Fallback for missing translations.
    #[schemars(pattern(r"^[a-z]{2,3}$"))]
    pub default_language: String,
    /// Every text should have these languages (a missing one is a warning). Default: the
    /// default language only.
    #[serde(default)]
    pub languages: Vec<String>,
    /// How long a closed case is kept, e.g. "90d", "6months", "5y".
    #[schemars(pattern(r"^\d+ ?(h|d|w|wd|y|mo|days?|weeks?|months?|years?)$"))]
    pub retention: Option<String>,
    /// Newest first.
    #[serde(default)]
    pub changelog: Vec<ChangelogDoc>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Active,
    Retired,
}

/// A text: a plain string (in the default language) or a table language -> text.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum TextDoc {
    Plain(String),
    Translated(BTreeMap<String, String>),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangelogDoc {
    pub version: String,
    #[schemars(pattern(r"^\d{4}-\d{2}-\d{2}$"))]
    pub date: Option<String>,
    pub notes: TextDoc,
}

/// A role or a phase.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    #[schemars(pattern(r"^[a-z0-9_-]{1,64}$"))]
    pub id: String,
    pub title: TextDoc,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FactKindDoc {
    Bool,
    Choice,
    Multi,
    Number,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactDoc {
    /// snake_case; used in step conditions.
    #[schemars(pattern(r"^[a-z][a-z0-9_]{0,63}$"))]
    pub id: String,
    pub kind: FactKindDoc,
    pub question: TextDoc,
    /// For choice and multi facts.
    pub options: Option<Vec<OptionDoc>>,
    /// For number facts.
    pub min: Option<f64>,
    /// For number facts.
    pub max: Option<f64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionDoc {
    #[schemars(pattern(r"^[a-z0-9_-]{1,64}$"))]
    pub id: String,
    pub label: TextDoc,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RequiredDoc {
    Must,
    Could,
    MustUnlessDocumented,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PriorityDoc {
    Routine,
    Urgent,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepDoc {
    /// Lowercase a-z, 0-9 and '-', unique in the pack.
    #[schemars(pattern(r"^[a-z0-9-]{1,64}$"))]
    pub id: String,
    pub phase: String,
    /// The owning role: only it (or the coordinator) completes the step.
    pub role: String,
    /// Other roles involved.
    #[serde(default)]
    pub support: Vec<String>,
    pub title: TextDoc,
    /// Markdown subset: paragraphs, lists, **bold**, *italic*.
    pub guidance: Option<TextDoc>,
    /// Default: must.
    pub required: Option<RequiredDoc>,
    /// Default: routine.
    pub priority: Option<PriorityDoc>,
    /// Applicability condition, e.g. "online_element and abuse_types has 'sextortion'".
    pub when: Option<String>,
    /// Steps that must be finished first.
    #[serde(default)]
    pub after: Vec<String>,
    pub due: Option<DueDoc>,
    /// Sources; URLs are shown, never fetched.
    #[serde(default)]
    pub references: Vec<ReferenceDoc>,
    /// Fields recorded when the step is done.
    #[serde(default)]
    pub record: Vec<RecordDoc>,
    /// The case milestone this step marks when done, for the anonymised statistics (days
    /// from opening). At most one step per milestone.
    pub milestone: Option<MilestoneDoc>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MilestoneDoc {
    /// The forensic interview of the child was held.
    ForensicInterview,
    /// The medical examination was made.
    MedicalExamination,
    /// Crisis support or therapy started (first session).
    TherapyStart,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DueDoc {
    /// A number and a unit: h, d, w, wd (working days), e.g. "24h", "5wd".
    #[schemars(pattern(r"^\d+(h|d|w|wd)$"))]
    pub within: String,
    /// "opened" (default), a step id, or "fact:ID" of a number fact (hours before opening).
    pub from: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceDoc {
    pub label: String,
    pub url: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RecordKindDoc {
    Bool,
    Text,
    Number,
    Date,
    Choice,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordDoc {
    #[schemars(pattern(r"^[a-z0-9_-]{1,64}$"))]
    pub id: String,
    pub kind: RecordKindDoc,
    pub label: TextDoc,
    /// For choice fields.
    pub options: Option<Vec<OptionDoc>>,
}

/// The JSON Schema of the pack format.
pub fn schema() -> schemars::Schema {
    schemars::schema_for!(PackDocument)
}

/// The JSON Schema as pretty-printed JSON, with a final newline (the content of
/// `protocols/pack.schema.json`).
pub fn schema_json() -> String {
    let mut s = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::validate::fields;

    fn properties<'a>(schema: &'a serde_json::Value, def: Option<&str>) -> Vec<(&'a str, bool)> {
        let obj = match def {
            None => schema,
            Some(d) => &schema["$defs"][d],
        };
        let required: Vec<&str> = obj["required"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let mut out: Vec<(&str, bool)> = obj["properties"]
            .as_object()
            .expect("an object schema")
            .keys()
            .map(|k| (k.as_str(), required.contains(&k.as_str())))
            .collect();
        out.sort();
        out
    }

    fn sorted(list: &[(&'static str, bool)]) -> Vec<(&'static str, bool)> {
        let mut v = list.to_vec();
        v.sort();
        v
    }

    /// The validator's field lists and the schema must describe the same format.
    #[test]
    fn schema_and_validator_agree_on_fields() {
        let s = serde_json::to_value(schema()).unwrap();
        assert_eq!(properties(&s, None), sorted(fields::ROOT));
        assert_eq!(properties(&s, Some("PackHeader")), sorted(fields::PACK));
        assert_eq!(
            properties(&s, Some("ChangelogDoc")),
            sorted(fields::CHANGELOG)
        );
        assert_eq!(properties(&s, Some("Entity")), sorted(fields::ROLE));
        assert_eq!(properties(&s, Some("Entity")), sorted(fields::PHASE));
        assert_eq!(properties(&s, Some("FactDoc")), sorted(fields::FACT));
        assert_eq!(properties(&s, Some("OptionDoc")), sorted(fields::OPTION));
        assert_eq!(properties(&s, Some("StepDoc")), sorted(fields::STEP));
        assert_eq!(properties(&s, Some("DueDoc")), sorted(fields::DUE));
        assert_eq!(
            properties(&s, Some("ReferenceDoc")),
            sorted(fields::REFERENCE)
        );
        assert_eq!(properties(&s, Some("RecordDoc")), sorted(fields::RECORD));
    }
}
