//! Parsing and validation: TOML text -> diagnostics and, when there is no error, a [`Pack`].
//!
//! The TOML is parsed once by `toml` into a spanned tree; the tree is then read field by
//! field, so that every problem (unknown or missing fields, wrong types, bad references,
//! condition errors, cycles) is reported in one run with its exact position.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::condition::{Condition, ConditionErrorKind};
use super::diagnostic::{code, Diagnostic, Sink};
use super::duration::Span;
use super::implication::applicable_without;
use super::model::*;

/// Largest pack file accepted.
pub const MAX_FILE_SIZE: usize = 5 * 1024 * 1024;

/// A validated pack and the warnings found while validating it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Validated {
    pub pack: Pack,
    pub warnings: Vec<Diagnostic>,
}

/// Why a pack file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PackLoadError {
    #[error("cannot read pack file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("pack file {path} is invalid: {} error(s); run `caseway pack validate {path}` for details", diagnostics.iter().filter(|d| d.is_error()).count())]
    Invalid {
        path: String,
        /// The file's text, for [`super::render_human`].
        source_text: String,
        /// Errors and warnings, in file order.
        diagnostics: Vec<Diagnostic>,
    },
}

/// Reads and validates a pack file. A file over 5 MiB is refused without being read whole.
pub fn load_file(path: &Path) -> Result<Validated, PackLoadError> {
    let name = path.display().to_string();
    let io = |source| PackLoadError::Io {
        path: name.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_FILE_SIZE as u64 {
        let mut sink = Sink::new(&name, "");
        too_large(&mut sink, meta.len());
        return Err(PackLoadError::Invalid {
            path: name.clone(),
            source_text: String::new(),
            diagnostics: sink.diags,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let mut sink = Sink::new(&name, &lossy);
            sink.error(
                code::SYNTAX,
                offset..offset,
                "the file is not valid UTF-8",
                "save the file as UTF-8",
            );
            let diagnostics = sink.diags;
            return Err(PackLoadError::Invalid {
                path: name,
                source_text: lossy,
                diagnostics,
            });
        }
    };
    parse_pack(&name, &text).map_err(|diagnostics| PackLoadError::Invalid {
        path: name.clone(),
        source_text: text,
        diagnostics,
    })
}

/// A one-line hint for the TOML parser's messages, naming the usual cause.
fn syntax_hint(message: &str) -> &'static str {
    let m = message.to_ascii_lowercase();
    if m.contains("duplicate key") {
        "each key appears once per table: remove or rename the second one"
    } else if m.contains("missing comma") || m.contains("inline table") {
        "a `{ ... }` or `[ ... ]` is not closed, here or on a line above"
    } else if m.contains("array table") || m.contains("table header") {
        "close the header: [[step]], [[role]], [pack] ..."
    } else if m.contains("string") || m.contains("invalid float") || m.contains("expected `inf`") {
        "put text in quotes, and close every quote: key = \"value\""
    } else if m.contains("array") {
        "write lists as [\"a\", \"b\"], with commas and a closing ]"
    } else {
        "check quotes, brackets and `key = value` on this line"
    }
}

fn too_large(sink: &mut Sink, len: u64) {
    sink.error(
        code::FILE_TOO_LARGE,
        0..0,
        format!("the file is {len} bytes; packs are limited to 5 MiB ({MAX_FILE_SIZE} bytes)"),
        "split the protocol, or move long guidance out of the pack",
    );
}

/// Parses and validates a pack. `Ok` holds the pack and its warnings; `Err` holds every error
/// and warning found, in file order.
pub fn parse_pack(file_name: &str, source: &str) -> Result<Validated, Vec<Diagnostic>> {
    let mut sink = Sink::new(file_name, source);
    if source.len() > MAX_FILE_SIZE {
        too_large(&mut sink, source.len() as u64);
        return Err(sink.diags);
    }
    // Only the first syntax error is reported: after it the parser resynchronises by guessing,
    // and what it finds next is mostly the same mistake seen again.
    let root = match DeTable::parse(source) {
        Ok(root) => root,
        Err(e) => {
            let message = e.message().trim().to_string();
            sink.error(
                code::SYNTAX,
                e.span().unwrap_or(0..0),
                format!("TOML syntax error: {message}"),
                syntax_hint(&message),
            );
            return Err(sink.diags);
        }
    };
    let mut b = Builder {
        sink,
        src: source,
        default_language: "en".to_string(),
        languages: Vec::new(),
    };
    let pack = b.root(root.get_ref());
    let mut diags = b.sink.diags;
    diags.sort_by_key(|d| d.offset);
    match pack {
        Some(pack) if !diags.iter().any(Diagnostic::is_error) => Ok(Validated {
            pack,
            warnings: diags,
        }),
        _ => Err(diags),
    }
}

// ---------------------------------------------------------------------------------------------

type V<'i> = Spanned<DeValue<'i>>;

/// The fields each table accepts; `(name, required)`.
pub(crate) mod fields {
    pub const ROOT: &[(&str, bool)] = &[
        ("format", true),
        ("pack", true),
        ("role", true),
        ("phase", false),
        ("fact", false),
        ("step", false),
    ];
    pub const PACK: &[(&str, bool)] = &[
        ("id", true),
        ("version", true),
        ("status", true),
        ("title", true),
        ("summary", false),
        ("publisher", false),
        ("jurisdiction", false),
        ("effective", false),
        ("default_language", true),
        ("languages", false),
        ("retention", false),
        ("changelog", false),
    ];
    pub const CHANGELOG: &[(&str, bool)] = &[("version", true), ("date", false), ("notes", true)];
    pub const ROLE: &[(&str, bool)] = &[("id", true), ("title", true)];
    pub const PHASE: &[(&str, bool)] = &[("id", true), ("title", true)];
    pub const FACT: &[(&str, bool)] = &[
        ("id", true),
        ("kind", true),
        ("question", true),
        ("options", false),
        ("min", false),
        ("max", false),
    ];
    pub const OPTION: &[(&str, bool)] = &[("id", true), ("label", true)];
    pub const STEP: &[(&str, bool)] = &[
        ("id", true),
        ("phase", true),
        ("role", true),
        ("support", false),
        ("title", true),
        ("guidance", false),
        ("required", false),
        ("priority", false),
        ("when", false),
        ("after", false),
        ("due", false),
        ("references", false),
        ("record", false),
        ("milestone", false),
    ];
    pub const DUE: &[(&str, bool)] = &[("within", true), ("from", false)];
    pub const REFERENCE: &[(&str, bool)] = &[("label", true), ("url", false)];
    pub const RECORD: &[(&str, bool)] = &[
        ("id", true),
        ("kind", true),
        ("label", true),
        ("options", false),
    ];
}

fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn type_name(v: &DeValue) -> &'static str {
    match v {
        DeValue::String(_) => "text",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

fn is_lang_tag(s: &str) -> bool {
    (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase())
}

fn id_chars(s: &str, extra: &[u8]) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || extra.contains(&b))
}

/// Where a string value's content starts in the file, when the raw text maps one to one
/// (no escapes); `None` otherwise.
fn content_offset(src: &str, span: &Range<usize>, value: &str) -> Option<usize> {
    let raw = src.get(span.clone())?;
    let mut prefix = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else if raw.starts_with('"') || raw.starts_with('\'') {
        1
    } else {
        return None;
    };
    if prefix == 3 {
        if raw[prefix..].starts_with("\r\n") {
            prefix += 2;
        } else if raw[prefix..].starts_with('\n') {
            prefix += 1;
        }
    }
    if raw.get(prefix..prefix + value.len()) == Some(value) {
        Some(span.start + prefix)
    } else {
        None
    }
}

struct Builder<'s> {
    sink: Sink<'s>,
    src: &'s str,
    default_language: String,
    languages: Vec<String>,
}

#[derive(Clone)]
struct Located<T> {
    value: T,
    span: Range<usize>,
}

struct StepSrc {
    when_failed: bool,
    id_span: Range<usize>,
    after: Vec<Located<String>>,
    due_from: Option<Located<String>>,
    milestone: Option<Range<usize>>,
}

impl<'s> Builder<'s> {
    // ---- generic readers -------------------------------------------------------------------

    /// Reports unknown and missing fields of a table. Returns false if a required field is missing.
    fn check_fields(
        &mut self,
        t: &DeTable,
        span: &Range<usize>,
        what: &str,
        known: &[(&str, bool)],
    ) -> bool {
        for (k, _) in t.iter() {
            let key: &str = k.get_ref();
            if !known.iter().any(|(n, _)| *n == key) {
                let hint = match did_you_mean(key, known.iter().map(|(n, _)| *n)) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!(
                        "fields of {what}: {}",
                        known.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    ),
                };
                self.sink.error(
                    code::UNKNOWN_FIELD,
                    k.span(),
                    format!("unknown field `{key}` in {what}"),
                    hint,
                );
            }
        }
        let mut ok = true;
        for (name, required) in known {
            if *required && t.get(*name).is_none() {
                ok = false;
                let start = span.start;
                let end = self.src[start..span.end.min(self.src.len())]
                    .find('\n')
                    .map(|i| start + i)
                    .unwrap_or(span.end);
                self.sink.error(
                    code::MISSING_FIELD,
                    start..end,
                    format!("{what} is missing the required field `{name}`"),
                    match *name {
                        "pack" => "add a [pack] table with the pack's id, version and title".into(),
                        "role" => "add at least one [[role]] table (id and title)".into(),
                        _ => format!("add `{name} = ...` to {what}"),
                    },
                );
            }
        }
        ok
    }

    fn wrong_type(&mut self, v: &V, what: &str, expected: &str) {
        let found = type_name(v.get_ref());
        self.sink.error(
            code::WRONG_TYPE,
            v.span(),
            format!("{what} must be {expected}, found {found}"),
            format!("write {what} as {expected}"),
        );
    }

    fn string(&mut self, t: &DeTable, key: &str, what: &str) -> Option<Located<String>> {
        let v = t.get(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some(Located {
                value: s.to_string(),
                span: v.span(),
            }),
            _ => {
                self.wrong_type(v, &format!("`{key}` of {what}"), "text in quotes");
                None
            }
        }
    }

    fn number(&mut self, t: &DeTable, key: &str, what: &str) -> Option<f64> {
        let v = t.get(key)?;
        let n = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            _ => {
                self.wrong_type(v, &format!("`{key}` of {what}"), "a number");
                return None;
            }
        };
        match n {
            Some(n) if n.is_finite() => Some(n),
            _ => {
                self.sink.error(
                    code::INVALID_VALUE,
                    v.span(),
                    format!("`{key}` of {what} is not a finite number"),
                    "write a plain number, e.g. 0 or 72",
                );
                None
            }
        }
    }

    fn string_list(&mut self, t: &DeTable, key: &str, what: &str) -> Vec<Located<String>> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(
                v,
                &format!("`{key}` of {what}"),
                "a list of texts, e.g. [\"a\", \"b\"]",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(Located {
                    value: s.to_string(),
                    span: item.span(),
                }),
                _ => self.wrong_type(
                    item,
                    &format!("each entry of `{key}` in {what}"),
                    "text in quotes",
                ),
            }
        }
        out
    }

    /// An array of tables (`[[x]]` or `x = [ {..}, {..} ]`).
    fn tables<'a, 'i>(
        &mut self,
        t: &'a DeTable<'i>,
        key: &str,
        what: &str,
    ) -> Vec<(&'a DeTable<'i>, Range<usize>)> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(
                v,
                &format!("`{key}` of {what}"),
                &format!("a list of tables ([[{key}]])"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(tt) => out.push((tt, item.span())),
                _ => self.wrong_type(item, &format!("each entry of `{key}` in {what}"), "a table"),
            }
        }
        out
    }

    /// A text: a plain string (in the default language) or a table language -> string.
    /// Warns about each of the pack's languages it lacks.
    fn text(&mut self, t: &DeTable, key: &str, what: &str) -> Option<Text> {
        let v = t.get(key)?;
        let text = match v.get_ref() {
            DeValue::String(s) => Text::single(&self.default_language, s),
            DeValue::Table(tt) => {
                let mut m = BTreeMap::new();
                for (lang, val) in tt.iter() {
                    let lang_s: &str = lang.get_ref();
                    if !is_lang_tag(lang_s) {
                        self.sink.error(
                            code::INVALID_VALUE,
                            lang.span(),
                            format!("`{lang_s}` in {what} is not a language tag"),
                            "use a lowercase primary language tag such as en, sv, nb, fi, da",
                        );
                        continue;
                    }
                    match val.get_ref() {
                        DeValue::String(s) => {
                            m.insert(lang_s.to_string(), s.to_string());
                        }
                        _ => self.wrong_type(
                            val,
                            &format!("the `{lang_s}` text of {what}"),
                            "text in quotes",
                        ),
                    }
                }
                if m.is_empty() && tt.is_empty() {
                    self.sink.error(
                        code::MISSING_FIELD,
                        v.span(),
                        format!("`{key}` of {what} has no text"),
                        format!("write at least the {} text", self.default_language),
                    );
                }
                Text(m)
            }
            _ => {
                self.wrong_type(
                    v,
                    &format!("`{key}` of {what}"),
                    "a text: \"...\" or { en = \"...\", sv = \"...\" }",
                );
                return None;
            }
        };
        let missing: Vec<&str> = self
            .languages
            .iter()
            .filter(|l| !text.0.contains_key(l.as_str()))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() && !text.0.is_empty() {
            let list = missing.join(", ");
            self.sink.warn(
                code::MISSING_TRANSLATION,
                v.span(),
                format!("`{key}` of {what} has no {list} translation"),
                format!(
                    "add {}",
                    missing
                        .iter()
                        .map(|l| format!("{l} = \"...\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        Some(text)
    }

    fn enum_value<T>(
        &mut self,
        t: &DeTable,
        key: &str,
        what: &str,
        allowed: &[&str],
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let s = self.string(t, key, what)?;
        match parse(&s.value) {
            Some(v) => Some(v),
            None => {
                let hint = match did_you_mean(&s.value, allowed.iter().copied()) {
                    Some(c) => format!("did you mean \"{c}\"?"),
                    None => format!("use one of: {}", allowed.join(", ")),
                };
                self.sink.error(
                    code::INVALID_VALUE,
                    s.span,
                    format!("`{}` is not a valid `{key}` for {what}", s.value),
                    hint,
                );
                None
            }
        }
    }

    fn date(&mut self, t: &DeTable, key: &str, what: &str) -> Option<chrono::NaiveDate> {
        let v = t.get(key)?;
        let raw = match v.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Datetime(d) => d.to_string(),
            _ => {
                self.wrong_type(
                    v,
                    &format!("`{key}` of {what}"),
                    "a date like \"2026-01-01\"",
                );
                return None;
            }
        };
        match chrono::NaiveDate::parse_from_str(&raw, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.sink.error(
                    code::INVALID_VALUE,
                    v.span(),
                    format!("`{raw}` ({key} of {what}) is not a date"),
                    "write the date as YYYY-MM-DD, e.g. \"2026-01-01\"",
                );
                None
            }
        }
    }

    fn semver(&mut self, t: &DeTable, key: &str, what: &str) -> Option<semver::Version> {
        let s = self.string(t, key, what)?;
        match semver::Version::parse(&s.value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.sink.error(
                    code::INVALID_SEMVER,
                    s.span,
                    format!(
                        "`{}` ({key} of {what}) is not a semantic version: {e}",
                        s.value
                    ),
                    "write MAJOR.MINOR.PATCH, e.g. \"1.2.0\"",
                );
                None
            }
        }
    }

    fn options(&mut self, t: &DeTable, what: &str) -> Vec<FactOption> {
        let mut out = Vec::new();
        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        for (ot, span) in self.tables(t, "options", what) {
            let owhat = format!("an option of {what}");
            self.check_fields(ot, &span, &owhat, fields::OPTION);
            let id = self.string(ot, "id", &owhat);
            let label = self.text(ot, "label", &owhat);
            if let Some(id) = id {
                if !id_chars(&id.value, b"-_") {
                    self.sink.error(
                        code::INVALID_ID,
                        id.span.clone(),
                        format!("option id `{}` in {what} is not valid", id.value),
                        "option ids use a-z, 0-9, '-' and '_' (1 to 64 characters)",
                    );
                }
                if seen.contains_key(&id.value) {
                    self.sink.error(
                        code::DUPLICATE_ID,
                        id.span.clone(),
                        format!("option `{}` appears twice in {what}", id.value),
                        "give each option its own id",
                    );
                } else {
                    seen.insert(id.value.clone(), id.span.clone());
                }
                out.push(FactOption {
                    id: id.value,
                    label: label.unwrap_or_default(),
                });
            }
        }
        out
    }

    // ---- the document ------------------------------------------------------------------------

    fn root(&mut self, root: &DeTable) -> Option<Pack> {
        let format = match root.get("format") {
            Some(v) => match v.get_ref() {
                DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                    Ok(n) if n > i64::from(SUPPORTED_FORMAT) => {
                        self.sink.error(
                            code::FORMAT_TOO_NEW,
                            v.span(),
                            format!("format {n} is newer than this Caseway supports ({SUPPORTED_FORMAT})"),
                            "update Caseway, or write the pack in format 1",
                        );
                        None
                    }
                    Ok(n) if n >= 1 => Some(n as u32),
                    _ => {
                        self.sink.error(
                            code::INVALID_VALUE,
                            v.span(),
                            format!("format {} is not a valid format version", i.as_str()),
                            "write `format = 1`",
                        );
                        None
                    }
                },
                _ => {
                    self.wrong_type(v, "`format`", "an integer (format = 1)");
                    None
                }
            },
            None => None,
        };

        // A newer format may have fields and rules this version does not know: say only that.
        if self
            .sink
            .diags
            .iter()
            .any(|d| d.code == code::FORMAT_TOO_NEW)
        {
            return None;
        }
        let complete = self.check_fields(root, &(0..0), "the pack file", fields::ROOT);

        let header = match root.get("pack") {
            Some(v) => match v.get_ref() {
                DeValue::Table(t) => Some((t, v.span())),
                _ => {
                    self.wrong_type(v, "`pack`", "a table ([pack])");
                    None
                }
            },
            None => None,
        };

        let mut head = None;
        if let Some((t, span)) = header {
            head = self.pack_header(t, &span);
        }

        let roles = self.roles(root);
        let phases = self.phases(root);
        let facts = self.facts(root);
        let steps = self.steps(root, &roles, &phases, &facts);

        if !complete || self.sink.has_errors() {
            return None;
        }
        let head = head?;
        Some(Pack {
            format: format?,
            id: head.id,
            version: head.version,
            status: head.status,
            title: head.title,
            summary: head.summary,
            publisher: head.publisher,
            jurisdiction: head.jurisdiction,
            effective: head.effective,
            default_language: self.default_language.clone(),
            languages: self.languages.clone(),
            retention: head.retention,
            changelog: head.changelog,
            roles: roles.into_iter().map(|(r, _)| r).collect(),
            phases: phases.into_iter().map(|(p, _)| p).collect(),
            facts,
            steps,
        })
    }

    fn pack_header(&mut self, t: &DeTable, span: &Range<usize>) -> Option<Header> {
        let what = "[pack]";
        let complete = self.check_fields(t, span, what, fields::PACK);

        // Languages first: every text is checked against them.
        if let Some(dl) = self.string(t, "default_language", what) {
            if is_lang_tag(&dl.value) {
                self.default_language = dl.value.clone();
            } else {
                self.sink.error(
                    code::INVALID_VALUE,
                    dl.span.clone(),
                    format!("`{}` is not a language tag", dl.value),
                    "use a lowercase primary language tag such as en, sv, nb",
                );
            }
        }
        let langs = self.string_list(t, "languages", what);
        let mut languages = Vec::new();
        for l in &langs {
            if !is_lang_tag(&l.value) {
                self.sink.error(
                    code::INVALID_VALUE,
                    l.span.clone(),
                    format!("`{}` is not a language tag", l.value),
                    "use a lowercase primary language tag such as en, sv, nb",
                );
            } else if languages.contains(&l.value) {
                self.sink.error(
                    code::DUPLICATE_ID,
                    l.span.clone(),
                    format!("language `{}` is listed twice", l.value),
                    "list each language once",
                );
            } else {
                languages.push(l.value.clone());
            }
        }
        if let Some(v) = t.get("languages") {
            if !languages.is_empty() && !languages.contains(&self.default_language) {
                self.sink.error(
                    code::INVALID_VALUE,
                    v.span(),
                    format!(
                        "the default language `{}` is not among `languages`",
                        self.default_language
                    ),
                    format!("add \"{}\" to `languages`", self.default_language),
                );
            }
        }
        if languages.is_empty() {
            languages.push(self.default_language.clone());
        }
        self.languages = languages;

        let id = self.string(t, "id", what);
        if let Some(id) = &id {
            if !(3..=64).contains(&id.value.len()) || !id_chars(&id.value, b"-") {
                self.sink.error(
                    code::INVALID_ID,
                    id.span.clone(),
                    format!("pack id `{}` is not valid", id.value),
                    "pack ids use a-z, 0-9 and '-', 3 to 64 characters, e.g. \"barnahus-online-csa\"",
                );
            }
        }
        let version = self.semver(t, "version", what);
        let status = self.enum_value(
            t,
            "status",
            what,
            &["draft", "active", "retired"],
            PackStatus::parse,
        );
        let title = self.text(t, "title", what);
        let summary = self.text(t, "summary", what);
        let publisher = self.string(t, "publisher", what).map(|s| s.value);
        let jurisdiction = self.string(t, "jurisdiction", what).and_then(|j| {
            if j.value.len() == 2 && j.value.bytes().all(|b| b.is_ascii_alphabetic()) {
                Some(j.value.to_ascii_uppercase())
            } else {
                self.sink.error(
                    code::INVALID_VALUE,
                    j.span,
                    format!("`{}` is not an ISO 3166-1 alpha-2 country code", j.value),
                    "write two capital letters, e.g. \"SE\", \"NO\", \"IS\"",
                );
                None
            }
        });
        let effective = self.date(t, "effective", what);
        let retention =
            self.string(t, "retention", what)
                .and_then(|r| match Span::parse_retention(&r.value) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        self.sink.error(
                            code::INVALID_DURATION,
                            r.span,
                            format!("retention: {e}"),
                            "write a number and a unit: h, d, w, wd, months or y, e.g. \"5y\"",
                        );
                        None
                    }
                });

        let mut changelog = Vec::new();
        for (ct, cspan) in self.tables(t, "changelog", what) {
            let cwhat = "a [[pack.changelog]] entry";
            self.check_fields(ct, &cspan, cwhat, fields::CHANGELOG);
            let version = self.semver(ct, "version", cwhat);
            let date = self.date(ct, "date", cwhat);
            let notes = self.text(ct, "notes", cwhat);
            if let (Some(version), Some(notes)) = (version, notes) {
                changelog.push(ChangelogEntry {
                    version,
                    date,
                    notes,
                });
            }
        }

        if !complete {
            return None;
        }
        Some(Header {
            id: id?.value,
            version: version?,
            status: status?,
            title: title?,
            summary,
            publisher,
            jurisdiction,
            effective,
            retention,
            changelog,
        })
    }

    fn simple_ids(
        &mut self,
        root: &DeTable,
        key: &str,
        known: &[(&str, bool)],
    ) -> Vec<(String, Text, Range<usize>)> {
        let mut out: Vec<(String, Text, Range<usize>)> = Vec::new();
        for (t, span) in self.tables(root, key, "the pack file") {
            let what = format!("a [[{key}]]");
            self.check_fields(t, &span, &what, known);
            let id = self.string(t, "id", &what);
            let what = match &id {
                Some(id) => format!("[[{key}]] `{}`", id.value),
                None => what,
            };
            let title = self.text(t, "title", &what);
            let Some(id) = id else { continue };
            if !id_chars(&id.value, b"-_") {
                self.sink.error(
                    code::INVALID_ID,
                    id.span.clone(),
                    format!("{key} id `{}` is not valid", id.value),
                    "ids use a-z, 0-9, '-' and '_' (1 to 64 characters)",
                );
            }
            if out.iter().any(|(o, _, _)| *o == id.value) {
                self.sink.error(
                    code::DUPLICATE_ID,
                    id.span.clone(),
                    format!("{key} id `{}` is declared twice", id.value),
                    format!("give each {key} its own id"),
                );
                continue;
            }
            out.push((id.value, title.unwrap_or_default(), id.span));
        }
        out
    }

    fn roles(&mut self, root: &DeTable) -> Vec<(Role, Range<usize>)> {
        self.simple_ids(root, "role", fields::ROLE)
            .into_iter()
            .map(|(id, title, span)| (Role { id, title }, span))
            .collect()
    }

    fn phases(&mut self, root: &DeTable) -> Vec<(Phase, Range<usize>)> {
        self.simple_ids(root, "phase", fields::PHASE)
            .into_iter()
            .map(|(id, title, span)| (Phase { id, title }, span))
            .collect()
    }

    fn facts(&mut self, root: &DeTable) -> Vec<Fact> {
        let mut out: Vec<Fact> = Vec::new();
        for (t, span) in self.tables(root, "fact", "the pack file") {
            let what = "a [[fact]]".to_string();
            self.check_fields(t, &span, &what, fields::FACT);
            let id = self.string(t, "id", &what);
            let what = match &id {
                Some(id) => format!("fact `{}`", id.value),
                None => what,
            };
            let kind = self.enum_value(
                t,
                "kind",
                &what,
                &["bool", "choice", "multi", "number"],
                FactKind::parse,
            );
            let question = self.text(t, "question", &what);
            let options = self.options(t, &what);
            let min = self.number(t, "min", &what);
            let max = self.number(t, "max", &what);
            if let Some(kind) = kind {
                let has_options = t.get("options");
                match kind {
                    FactKind::Choice | FactKind::Multi => {
                        if has_options.is_none() {
                            self.sink.error(
                                code::MISSING_FIELD,
                                span.start..span.start,
                                format!("{what} is a {} fact without `options`", kind.as_str()),
                                "add options = [ { id = \"...\", label = { en = \"...\" } }, ... ]",
                            );
                        } else if let Some(v) = has_options
                            .filter(|v| matches!(v.get_ref(), DeValue::Array(a) if a.is_empty()))
                        {
                            self.sink.error(
                                code::INVALID_VALUE,
                                v.span(),
                                format!("{what} has an empty list of options"),
                                "list at least one option",
                            );
                        }
                    }
                    FactKind::Bool | FactKind::Number => {
                        if let Some(v) = has_options {
                            self.sink.error(
                                code::INVALID_VALUE,
                                v.span(),
                                format!("{what} is a {} fact: it takes no options", kind.as_str()),
                                "remove `options`, or make the fact a choice or multi fact",
                            );
                        }
                    }
                }
                if kind != FactKind::Number {
                    for key in ["min", "max"] {
                        if let Some(v) = t.get(key) {
                            self.sink.error(
                                code::INVALID_VALUE,
                                v.span(),
                                format!(
                                    "{what} is a {} fact: `{key}` applies to number facts only",
                                    kind.as_str()
                                ),
                                format!("remove `{key}`"),
                            );
                        }
                    }
                }
            }
            if let (Some(lo), Some(hi)) = (min, max) {
                if lo > hi {
                    if let Some(v) = t.get("min") {
                        self.sink.error(
                            code::INVALID_VALUE,
                            v.span(),
                            format!("{what}: min {lo} is above max {hi}"),
                            "swap min and max",
                        );
                    }
                }
            }
            let (Some(id), Some(kind)) = (id, kind) else {
                continue;
            };
            let valid_id = id.value.len() <= 64
                && id.value.starts_with(|c: char| c.is_ascii_lowercase())
                && id_chars(&id.value, b"_");
            if !valid_id {
                self.sink.error(
                    code::INVALID_ID,
                    id.span.clone(),
                    format!("fact id `{}` is not snake_case", id.value),
                    format!(
                        "fact ids use a-z, 0-9 and '_', starting with a letter, e.g. \"{}\"",
                        id.value.to_ascii_lowercase().replace(['-', ' '], "_")
                    ),
                );
            } else if super::condition::KEYWORDS.contains(&id.value.as_str()) {
                self.sink.error(
                    code::INVALID_ID,
                    id.span.clone(),
                    format!("fact id `{}` is a word of the condition language", id.value),
                    "choose another id; and, or, not, in, has, true and false are reserved",
                );
            }
            if out.iter().any(|f| f.id == id.value) {
                self.sink.error(
                    code::DUPLICATE_ID,
                    id.span,
                    format!("fact id `{}` is declared twice", id.value),
                    "give each fact its own id",
                );
                continue;
            }
            out.push(Fact {
                id: id.value,
                kind,
                question: question.unwrap_or_default(),
                options,
                min,
                max,
            });
        }
        out
    }

    fn unknown_ref(
        &mut self,
        code: &'static str,
        kind: &str,
        r: &Located<String>,
        known: &[&str],
        what: &str,
    ) {
        let hint = match did_you_mean(&r.value, known.iter().copied()) {
            Some(c) => format!("did you mean \"{c}\"?"),
            None if known.is_empty() => format!("declare it in a [[{kind}]] table"),
            None if known.len() <= 12 => format!("declared {kind}s: {}", known.join(", ")),
            None => format!("declare it in a [[{kind}]] table, or fix the id"),
        };
        self.sink.error(
            code,
            r.span.clone(),
            format!("{what} names unknown {kind} `{}`", r.value),
            hint,
        );
    }

    fn step_table(
        &mut self,
        t: &DeTable,
        span: Range<usize>,
        role_ids: &[&str],
        phase_ids: &[&str],
        facts: &[Fact],
    ) -> Result<(Step, StepSrc), Option<Located<String>>> {
        let what = "a [[step]]".to_string();
        self.check_fields(t, &span, &what, fields::STEP);
        let id = self.string(t, "id", &what);
        let what = match &id {
            Some(id) => format!("step `{}`", id.value),
            None => what,
        };
        if let Some(id) = &id {
            if !id_chars(&id.value, b"-") {
                self.sink.error(
                    code::INVALID_ID,
                    id.span.clone(),
                    format!("step id `{}` is not valid", id.value),
                    format!(
                        "step ids use a-z, 0-9 and '-' (1 to 64 characters), e.g. \"{}\"",
                        id.value.to_ascii_lowercase().replace(['_', ' '], "-")
                    ),
                );
            } else if id.value == "opened" {
                self.sink.error(
                    code::INVALID_ID,
                    id.span.clone(),
                    "step id `opened` is reserved for deadlines that start when the case is opened",
                    "choose another step id",
                );
            }
        }
        let phase = self.string(t, "phase", &what);
        if let Some(p) = &phase {
            if !phase_ids.contains(&p.value.as_str()) {
                self.unknown_ref(code::UNKNOWN_PHASE, "phase", p, phase_ids, &what);
            }
        }
        let role = self.string(t, "role", &what);
        if let Some(r) = &role {
            if !role_ids.contains(&r.value.as_str()) {
                self.unknown_ref(code::UNKNOWN_ROLE, "role", r, role_ids, &what);
            }
        }
        let support = self.string_list(t, "support", &what);
        for s in &support {
            if !role_ids.contains(&s.value.as_str()) {
                self.unknown_ref(
                    code::UNKNOWN_ROLE,
                    "role",
                    s,
                    role_ids,
                    &format!("`support` of {what}"),
                );
            }
        }
        let title = self.text(t, "title", &what);
        let guidance = self.text(t, "guidance", &what);
        let required = self
            .enum_value(
                t,
                "required",
                &what,
                &["must", "could", "must-unless-documented"],
                Required::parse,
            )
            .unwrap_or(Required::Must);
        let priority = self
            .enum_value(
                t,
                "priority",
                &what,
                &["routine", "urgent"],
                Priority::parse,
            )
            .unwrap_or(Priority::Routine);
        let when_src = self.string(t, "when", &what);
        let when = when_src
            .as_ref()
            .and_then(|w| self.condition(w, facts, &what));
        let after = self.string_list(t, "after", &what);
        let milestone_src = self.string(t, "milestone", &what);
        let milestone = milestone_src.as_ref().and_then(|m| {
            let found = Milestone::parse(&m.value);
            if found.is_none() {
                let names: Vec<&str> = Milestone::ALL.iter().map(|m| m.as_str()).collect();
                let hint = match did_you_mean(&m.value, names.iter().copied()) {
                    Some(c) => format!("did you mean \"{c}\"?"),
                    None => format!("use one of: {}", names.join(", ")),
                };
                self.sink.error(
                    code::UNKNOWN_MILESTONE,
                    m.span.clone(),
                    format!("`{}` is not a milestone ({what})", m.value),
                    hint,
                );
            }
            found
        });

        let mut due = None;
        let mut due_from = None;
        if let Some(v) = t.get("due") {
            match v.get_ref() {
                DeValue::Table(dt) => {
                    let dwhat = format!("`due` of {what}");
                    self.check_fields(dt, &v.span(), &dwhat, fields::DUE);
                    let within = self
                        .string(dt, "within", &dwhat)
                        .and_then(|w| match Span::parse(&w.value) {
                            Ok(s) => Some(s),
                            Err(e) => {
                                self.sink.error(
                                code::INVALID_DURATION,
                                w.span,
                                format!("deadline of {what}: {e}"),
                                "write a number and a unit: h, d, w or wd, e.g. \"24h\", \"5wd\"",
                            );
                                None
                            }
                        });
                    let from = self.string(dt, "from", &dwhat);
                    let anchor = match &from {
                        None => Some(Anchor::Opened),
                        Some(f) => self.anchor(f, facts, &what),
                    };
                    due_from = from;
                    if let (Some(within), Some(from)) = (within, anchor) {
                        due = Some(Due { within, from });
                    }
                }
                _ => self.wrong_type(
                    v,
                    &format!("`due` of {what}"),
                    "a table: { within = \"24h\", from = \"opened\" }",
                ),
            }
        }

        let mut references = Vec::new();
        for (rt, rspan) in self.tables(t, "references", &what) {
            let rwhat = format!("a reference of {what}");
            self.check_fields(rt, &rspan, &rwhat, fields::REFERENCE);
            let label = self.string(rt, "label", &rwhat);
            let url = self.string(rt, "url", &rwhat).map(|u| u.value);
            if let Some(label) = label {
                references.push(Reference {
                    label: label.value,
                    url,
                });
            }
        }

        let mut record: Vec<RecordField> = Vec::new();
        for (rt, rspan) in self.tables(t, "record", &what) {
            let rwhat = format!("a record field of {what}");
            self.check_fields(rt, &rspan, &rwhat, fields::RECORD);
            let rid = self.string(rt, "id", &rwhat);
            let kind = self.enum_value(
                rt,
                "kind",
                &rwhat,
                &["bool", "text", "number", "date", "choice"],
                RecordKind::parse,
            );
            let label = self.text(rt, "label", &rwhat);
            let options = self.options(rt, &rwhat);
            if let Some(kind) = kind {
                if kind == RecordKind::Choice && rt.get("options").is_none() {
                    self.sink.error(
                        code::MISSING_FIELD,
                        rspan.start..rspan.start,
                        format!("{rwhat} is a choice without `options`"),
                        "add options = [ { id = \"...\", label = { en = \"...\" } } ]",
                    );
                } else if kind != RecordKind::Choice {
                    if let Some(v) = rt.get("options") {
                        self.sink.error(
                            code::INVALID_VALUE,
                            v.span(),
                            format!("{rwhat} is a {} field: it takes no options", kind.as_str()),
                            "remove `options`, or make the field kind \"choice\"",
                        );
                    }
                }
            }
            let (Some(rid), Some(kind)) = (rid, kind) else {
                continue;
            };
            if !id_chars(&rid.value, b"-_") {
                self.sink.error(
                    code::INVALID_ID,
                    rid.span.clone(),
                    format!("record field id `{}` is not valid", rid.value),
                    "record field ids use a-z, 0-9, '-' and '_'",
                );
            }
            if record.iter().any(|r| r.id == rid.value) {
                self.sink.error(
                    code::DUPLICATE_ID,
                    rid.span,
                    format!("record field `{}` appears twice in {what}", rid.value),
                    "give each record field its own id",
                );
                continue;
            }
            record.push(RecordField {
                id: rid.value,
                kind,
                label: label.unwrap_or_default(),
                options,
            });
        }

        let when_failed = when_src.is_some() && when.is_none();
        let (Some(id), Some(phase), Some(role), Some(title)) = (id.clone(), phase, role, title)
        else {
            return Err(id);
        };
        let src = StepSrc {
            when_failed,
            id_span: id.span,
            after: after
                .iter()
                .map(|s| Located {
                    value: s.value.clone(),
                    span: s.span.clone(),
                })
                .collect(),
            due_from,
            milestone: milestone_src.map(|m| m.span),
        };
        let mut support_ids: Vec<String> = Vec::new();
        for s in support {
            if !support_ids.contains(&s.value) {
                support_ids.push(s.value);
            }
        }
        let mut after_ids: Vec<String> = Vec::new();
        for a in after {
            if !after_ids.contains(&a.value) {
                after_ids.push(a.value);
            }
        }
        Ok((
            Step {
                id: id.value,
                phase: phase.value,
                role: role.value,
                support: support_ids,
                title,
                guidance,
                required,
                priority,
                when,
                after: after_ids,
                due,
                references,
                record,
                milestone,
            },
            src,
        ))
    }

    fn condition(&mut self, w: &Located<String>, facts: &[Fact], what: &str) -> Option<Condition> {
        let base = content_offset(self.src, &w.span, &w.value);
        let locate = |r: &Range<usize>| match base {
            Some(b) => b + r.start..b + r.end,
            None => w.span.clone(),
        };
        let c = match Condition::parse(&w.value) {
            Ok(c) => c,
            Err(e) => {
                self.sink.error(
                    code::CONDITION_SYNTAX,
                    locate(&e.span),
                    format!("condition of {what}: {}", e.message),
                    e.hint,
                );
                return None;
            }
        };
        let errors = c.check(facts);
        if errors.is_empty() {
            return Some(c);
        }
        for e in errors {
            let code = match e.kind {
                ConditionErrorKind::Syntax => code::CONDITION_SYNTAX,
                ConditionErrorKind::UnknownFact => code::UNKNOWN_FACT,
                ConditionErrorKind::UnknownOption => code::UNKNOWN_OPTION,
                ConditionErrorKind::Type => code::CONDITION_TYPE,
            };
            self.sink.error(
                code,
                locate(&e.span),
                format!("condition of {what}: {}", e.message),
                e.hint,
            );
        }
        None
    }

    /// `opened`, `fact:ID` (a number fact) or a step id (checked once all steps are known).
    fn anchor(&mut self, f: &Located<String>, facts: &[Fact], what: &str) -> Option<Anchor> {
        let v = f.value.trim();
        if v == "opened" {
            return Some(Anchor::Opened);
        }
        if let Some(fact_id) = v.strip_prefix("fact:") {
            let fact_id = fact_id.trim();
            return match facts.iter().find(|x| x.id == fact_id) {
                Some(fact) if fact.kind == FactKind::Number => {
                    Some(Anchor::Fact(fact_id.to_string()))
                }
                Some(fact) => {
                    self.sink.error(
                        code::INVALID_ANCHOR,
                        f.span.clone(),
                        format!(
                            "deadline of {what} starts from fact `{fact_id}`, a {} fact",
                            fact.kind.as_str()
                        ),
                        "a deadline can start from a number fact (hours before opening) only",
                    );
                    None
                }
                None => {
                    let ids: Vec<&str> = facts.iter().map(|f| f.id.as_str()).collect();
                    let loc = Located {
                        value: fact_id.to_string(),
                        span: f.span.clone(),
                    };
                    self.unknown_ref(
                        code::UNKNOWN_FACT,
                        "fact",
                        &loc,
                        &ids,
                        &format!("the deadline of {what}"),
                    );
                    None
                }
            };
        }
        if v.is_empty() || !id_chars(v, b"-") {
            self.sink.error(
                code::INVALID_ANCHOR,
                f.span.clone(),
                format!("`{v}` is not a deadline start for {what}"),
                "write \"opened\", a step id, or \"fact:ID\" of a number fact",
            );
            return None;
        }
        Some(Anchor::Step(v.to_string()))
    }

    fn steps(
        &mut self,
        root: &DeTable,
        roles: &[(Role, Range<usize>)],
        phases: &[(Phase, Range<usize>)],
        facts: &[Fact],
    ) -> Vec<Step> {
        let role_ids: Vec<&str> = roles.iter().map(|(r, _)| r.id.as_str()).collect();
        let phase_ids: Vec<&str> = phases.iter().map(|(p, _)| p.id.as_str()).collect();
        let mut steps: Vec<Step> = Vec::new();
        let mut srcs: Vec<StepSrc> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        // Every step id seen, including steps with errors, so that references to them
        // do not cause a second round of errors.
        let mut declared: HashSet<String> = HashSet::new();
        for (t, span) in self.tables(root, "step", "the pack file") {
            let (id, built) = match self.step_table(t, span, &role_ids, &phase_ids, facts) {
                Ok((step, src)) => (
                    Located {
                        value: step.id.clone(),
                        span: src.id_span.clone(),
                    },
                    Some((step, src)),
                ),
                Err(Some(id)) => (id, None),
                Err(None) => continue,
            };
            if !declared.insert(id.value.clone()) {
                self.sink.error(
                    code::DUPLICATE_ID,
                    id.span,
                    format!("step id `{}` is declared twice", id.value),
                    "give each step its own id",
                );
                continue;
            }
            if let Some((step, src)) = built {
                index.insert(step.id.clone(), steps.len());
                steps.push(step);
                srcs.push(src);
            }
        }

        // Each milestone is marked by one step at most.
        let mut claimed: HashMap<Milestone, usize> = HashMap::new();
        for (i, (step, src)) in steps.iter().zip(&srcs).enumerate() {
            let (Some(m), Some(span)) = (step.milestone, &src.milestone) else {
                continue;
            };
            match claimed.get(&m) {
                Some(&first) => self.sink.error(
                    code::DUPLICATE_MILESTONE,
                    span.clone(),
                    format!(
                        "milestone `{}` of step `{}` is already claimed by step `{}`",
                        m.as_str(),
                        step.id,
                        steps[first].id
                    ),
                    "keep `milestone` on the one step that marks it; the statistics measure the days to that step",
                ),
                None => {
                    claimed.insert(m, i);
                }
            }
        }

        // References to steps.
        let mut step_ids: Vec<&str> = declared.iter().map(String::as_str).collect();
        step_ids.sort_unstable();
        let mut bad = Vec::new();
        for (i, src) in srcs.iter().enumerate() {
            for a in &src.after {
                if !declared.contains(&a.value) {
                    bad.push((
                        code::UNKNOWN_STEP,
                        a.value.clone(),
                        a.span.clone(),
                        format!("`after` of step `{}`", steps[i].id),
                    ));
                }
            }
            if let (
                Some(Due {
                    from: Anchor::Step(s),
                    ..
                }),
                Some(f),
            ) = (&steps[i].due, &src.due_from)
            {
                if *s == steps[i].id {
                    self.sink.error(
                        code::INVALID_ANCHOR,
                        f.span.clone(),
                        format!(
                            "the deadline of step `{s}` starts when the step itself is finished"
                        ),
                        "start it from \"opened\", another step, or a number fact",
                    );
                } else if !declared.contains(s) {
                    bad.push((
                        code::UNKNOWN_STEP,
                        s.clone(),
                        f.span.clone(),
                        format!("the deadline of step `{}`", steps[i].id),
                    ));
                }
            }
        }
        for (c, value, span, what) in bad {
            self.unknown_ref(c, "step", &Located { value, span }, &step_ids, &what);
        }

        self.cycles(&steps, &srcs, &index);
        self.inapplicable_dependencies(&steps, &srcs, &index, facts);

        // Roles and phases nobody uses.
        let owners: HashSet<&str> = steps.iter().map(|s| s.role.as_str()).collect();
        for (r, span) in roles {
            if !owners.contains(r.id.as_str()) {
                self.sink.warn(
                    code::UNUSED_ROLE,
                    span.clone(),
                    format!("role `{}` owns no step", r.id),
                    "give it a step, or remove the role",
                );
            }
        }
        let used_phases: HashSet<&str> = steps.iter().map(|s| s.phase.as_str()).collect();
        for (p, span) in phases {
            if !used_phases.contains(p.id.as_str()) {
                self.sink.warn(
                    code::EMPTY_PHASE,
                    span.clone(),
                    format!("phase `{}` has no step", p.id),
                    "add steps to it, or remove the phase",
                );
            }
        }
        steps
    }

    /// Reports each cycle of `after` once, as `a -> b -> c -> a`, at the `after` entry that
    /// closes it. Iterative, so a long chain of steps cannot overflow the stack.
    fn cycles(&mut self, steps: &[Step], srcs: &[StepSrc], index: &HashMap<String, usize>) {
        let n = steps.len();
        let edges: Vec<Vec<(usize, usize)>> = srcs
            .iter()
            .map(|s| {
                s.after
                    .iter()
                    .enumerate()
                    .filter_map(|(k, a)| index.get(&a.value).map(|&j| (j, k)))
                    .collect()
            })
            .collect();
        // 0 = unvisited, 1 = on the stack, 2 = done
        let mut state = vec![0u8; n];
        let mut reported: HashSet<Vec<usize>> = HashSet::new();
        for start in 0..n {
            if state[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if *next < edges[node].len() {
                    let (to, entry) = edges[node][*next];
                    *next += 1;
                    match state[to] {
                        0 => {
                            state[to] = 1;
                            stack.push((to, 0));
                        }
                        1 => {
                            let pos = stack.iter().position(|(s, _)| *s == to).unwrap_or(0);
                            let cycle: Vec<usize> = stack[pos..].iter().map(|(s, _)| *s).collect();
                            let mut key = cycle.clone();
                            key.sort_unstable();
                            if reported.insert(key) {
                                // Show the cycle in the order "x comes after y": a -> b means
                                // a waits for b.
                                let mut names: Vec<&str> =
                                    cycle.iter().map(|&i| steps[i].id.as_str()).collect();
                                names.push(&steps[to].id);
                                let path = names.join(" -> ");
                                let span = srcs[node].after[entry].span.clone();
                                self.sink.error(
                                    code::CYCLE,
                                    span,
                                    format!("dependency cycle: {path}"),
                                    "remove one of these `after` entries so the steps can be done in order",
                                );
                            }
                        }
                        _ => {}
                    }
                } else {
                    state[node] = 2;
                    stack.pop();
                }
            }
        }
    }

    /// Warns when a step waits for a step that can be inapplicable while the first applies.
    fn inapplicable_dependencies(
        &mut self,
        steps: &[Step],
        srcs: &[StepSrc],
        index: &HashMap<String, usize>,
        facts: &[Fact],
    ) {
        let mut cache: HashMap<(String, String), Option<String>> = HashMap::new();
        for (i, step) in steps.iter().enumerate() {
            if srcs[i].when_failed {
                continue;
            }
            for a in &srcs[i].after {
                let Some(&j) = index.get(&a.value) else {
                    continue;
                };
                let Some(dep_when) = &steps[j].when else {
                    continue;
                };
                let own = step.when.as_ref();
                let key = (
                    own.map(|c| c.canonical()).unwrap_or_default(),
                    dep_when.canonical(),
                );
                let witness = cache
                    .entry(key)
                    .or_insert_with(|| applicable_without(own, dep_when, facts))
                    .clone();
                if let Some(example) = witness {
                    self.sink.warn(
                        code::DEPENDS_ON_INAPPLICABLE,
                        a.span.clone(),
                        format!(
                            "step `{}` waits for `{}`, which does not apply in some cases where `{}` does ({example})",
                            step.id, steps[j].id, step.id
                        ),
                        format!(
                            "give `{}` a condition that implies `{}`, or drop the dependency",
                            step.id,
                            dep_when.source()
                        ),
                    );
                }
            }
        }
    }
}

struct Header {
    id: String,
    version: semver::Version,
    status: PackStatus,
    title: Text,
    summary: Option<Text>,
    publisher: Option<String>,
    jurisdiction: Option<String>,
    effective: Option<chrono::NaiveDate>,
    retention: Option<Span>,
    changelog: Vec<ChangelogEntry>,
}
