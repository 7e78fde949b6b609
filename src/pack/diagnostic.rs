//! Diagnostics: what is wrong in a pack file, where, and what to do about it.

use std::fmt;
use std::ops::Range;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The pack is refused.
    Error,
    /// The pack is accepted; someone should look.
    Warning,
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The stable diagnostic codes. Scripts and documentation depend on them: never renumber.
pub mod code {
    /// TOML syntax error.
    pub const SYNTAX: &str = "P001";
    /// A field the format does not know (typo?).
    pub const UNKNOWN_FIELD: &str = "P002";
    /// A required field is missing.
    pub const MISSING_FIELD: &str = "P003";
    /// A field has the wrong type (text where a list is expected, ...).
    pub const WRONG_TYPE: &str = "P004";
    /// Two roles, phases, facts, options, steps or record fields share an id.
    pub const DUPLICATE_ID: &str = "P005";
    /// A step names a role that is not declared.
    pub const UNKNOWN_ROLE: &str = "P006";
    /// A step names a phase that is not declared.
    pub const UNKNOWN_PHASE: &str = "P007";
    /// A condition or deadline names a fact that is not declared.
    pub const UNKNOWN_FACT: &str = "P008";
    /// A condition names an option the fact does not have.
    pub const UNKNOWN_OPTION: &str = "P009";
    /// `after` or `due.from` names a step that is not declared.
    pub const UNKNOWN_STEP: &str = "P010";
    /// The `after` dependencies form a cycle.
    pub const CYCLE: &str = "P011";
    /// A condition does not follow the grammar.
    pub const CONDITION_SYNTAX: &str = "P012";
    /// A condition uses a fact in a way its kind does not allow.
    pub const CONDITION_TYPE: &str = "P013";
    /// `version` (or a changelog version) is not semver.
    pub const INVALID_SEMVER: &str = "P014";
    /// An id does not follow the id rules.
    pub const INVALID_ID: &str = "P015";
    /// `format` is newer than this engine supports.
    pub const FORMAT_TOO_NEW: &str = "P016";
    /// The file is larger than 5 MiB.
    pub const FILE_TOO_LARGE: &str = "P017";
    /// A value is not one of the allowed values (status, kind, required, priority, date,
    /// language tag, options on a fact kind that has none, min above max ...).
    pub const INVALID_VALUE: &str = "P018";
    /// A duration is not a number and a unit.
    pub const INVALID_DURATION: &str = "P019";
    /// A deadline anchor is not `opened`, a step id or `fact:ID` of a number fact.
    pub const INVALID_ANCHOR: &str = "P020";
    /// A step's `milestone` is not one of the milestones the statistics know.
    pub const UNKNOWN_MILESTONE: &str = "P021";
    /// Two steps claim the same `milestone`.
    pub const DUPLICATE_MILESTONE: &str = "P022";

    /// Warning: a text lacks one of the pack's languages.
    pub const MISSING_TRANSLATION: &str = "P101";
    /// Warning: a step depends on a step that can be inapplicable when it is applicable.
    pub const DEPENDS_ON_INAPPLICABLE: &str = "P102";
    /// Warning: a role owns no step.
    pub const UNUSED_ROLE: &str = "P103";
    /// Warning: a phase has no step.
    pub const EMPTY_PHASE: &str = "P104";

    /// Every code with its severity and a short description.
    pub const ALL: &[(&str, super::Severity, &str)] = &[
        (SYNTAX, super::Severity::Error, "TOML syntax error"),
        (UNKNOWN_FIELD, super::Severity::Error, "unknown field"),
        (
            MISSING_FIELD,
            super::Severity::Error,
            "missing required field",
        ),
        (
            WRONG_TYPE,
            super::Severity::Error,
            "value of the wrong type",
        ),
        (DUPLICATE_ID, super::Severity::Error, "duplicate id"),
        (UNKNOWN_ROLE, super::Severity::Error, "unknown role"),
        (UNKNOWN_PHASE, super::Severity::Error, "unknown phase"),
        (UNKNOWN_FACT, super::Severity::Error, "unknown fact"),
        (UNKNOWN_OPTION, super::Severity::Error, "unknown option"),
        (UNKNOWN_STEP, super::Severity::Error, "unknown step"),
        (CYCLE, super::Severity::Error, "dependency cycle"),
        (
            CONDITION_SYNTAX,
            super::Severity::Error,
            "condition syntax error",
        ),
        (
            CONDITION_TYPE,
            super::Severity::Error,
            "condition type error",
        ),
        (
            INVALID_SEMVER,
            super::Severity::Error,
            "invalid semver version",
        ),
        (INVALID_ID, super::Severity::Error, "invalid id"),
        (
            FORMAT_TOO_NEW,
            super::Severity::Error,
            "format newer than supported",
        ),
        (FILE_TOO_LARGE, super::Severity::Error, "file over 5 MiB"),
        (INVALID_VALUE, super::Severity::Error, "invalid value"),
        (INVALID_DURATION, super::Severity::Error, "invalid duration"),
        (
            INVALID_ANCHOR,
            super::Severity::Error,
            "invalid deadline anchor",
        ),
        (
            UNKNOWN_MILESTONE,
            super::Severity::Error,
            "unknown milestone",
        ),
        (
            DUPLICATE_MILESTONE,
            super::Severity::Error,
            "milestone claimed by two steps",
        ),
        (
            MISSING_TRANSLATION,
            super::Severity::Warning,
            "missing translation",
        ),
        (
            DEPENDS_ON_INAPPLICABLE,
            super::Severity::Warning,
            "depends on a step that can be inapplicable",
        ),
        (UNUSED_ROLE, super::Severity::Warning, "role owns no step"),
        (EMPTY_PHASE, super::Severity::Warning, "phase has no step"),
    ];
}

/// One finding in a pack file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code, e.g. `P012` (see [`code`]).
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// One line: what to do about it.
    pub hint: String,
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte offset of the start in the file.
    pub offset: usize,
    /// Length in bytes of the marked text (may be 0).
    pub length: usize,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn span(&self) -> Range<usize> {
        self.offset..self.offset + self.length
    }
}

impl fmt::Display for Diagnostic {
    /// `file:line:col: error[P012]: message (hint: ...)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}",
            self.file,
            self.line,
            self.column,
            self.severity.as_str(),
            self.code,
            self.message
        )?;
        if !self.hint.is_empty() {
            write!(f, " (hint: {})", self.hint)?;
        }
        Ok(())
    }
}

/// Maps byte offsets of one source text to lines and columns.
pub(crate) struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(source: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { source, starts }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let mut end = offset;
        while !self.source.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.source[start..end].chars().count() + 1;
        (line + 1, col)
    }
}

/// Collects diagnostics for one file.
pub(crate) struct Sink<'a> {
    file: String,
    index: LineIndex<'a>,
    pub(crate) diags: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    pub(crate) fn new(file: &str, source: &'a str) -> Self {
        Sink {
            file: file.to_string(),
            index: LineIndex::new(source),
            diags: Vec::new(),
        }
    }

    pub(crate) fn push(
        &mut self,
        code: &'static str,
        severity: Severity,
        span: Range<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let (line, column) = self.index.line_col(span.start);
        self.diags.push(Diagnostic {
            code,
            severity,
            message: message.into(),
            hint: hint.into(),
            file: self.file.clone(),
            line,
            column,
            offset: span.start,
            length: span.end.saturating_sub(span.start),
        });
    }

    pub(crate) fn error(
        &mut self,
        code: &'static str,
        span: Range<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(code, Severity::Error, span, message, hint);
    }

    pub(crate) fn warn(
        &mut self,
        code: &'static str,
        span: Range<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(code, Severity::Warning, span, message, hint);
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }
}

/// The source text as miette reads it, cut to the lines around each span first: miette scans
/// from the start of the text for every report, which is slow for thousands of diagnostics in
/// a large pack.
struct Windowed<'a> {
    name: &'a str,
    index: &'a LineIndex<'a>,
}

impl miette::SourceCode for Windowed<'_> {
    fn read_span<'b>(
        &'b self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'b> + 'b>, miette::MietteError> {
        let text = self.index.source;
        let starts = &self.index.starts;
        let line_of = |offset: usize| match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let begin = span.offset().min(text.len());
        let end = (span.offset() + span.len()).min(text.len());
        let first = line_of(begin).saturating_sub(before);
        let last = (line_of(end) + after + 1).min(starts.len() - 1);
        let ws = starts[first];
        let we = starts.get(last + 1).copied().unwrap_or(text.len());
        let window: &'b str = &text[ws..we];
        let local = miette::SourceSpan::new((begin - ws).into(), end - begin);
        let c = miette::SourceCode::read_span(window, &local, before, after)?;
        let abs = miette::SourceSpan::new((c.span().offset() + ws).into(), c.span().len());
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.to_string(),
            c.data(),
            abs,
            c.line() + first,
            c.column(),
            c.line_count(),
        )))
    }
}

struct Rendered<'a> {
    d: &'a Diagnostic,
    source: Windowed<'a>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.d, f)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}[{}] {}:{}:{}",
            self.d.severity.as_str(),
            self.d.code,
            self.d.file,
            self.d.line,
            self.d.column
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.d.hint.is_empty() {
            None
        } else {
            Some(Box::new(&self.d.hint))
        }
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".to_string()),
            (self.d.offset, self.d.length),
        ))))
    }
}

/// Renders diagnostics like a compiler: code, file:line:col, the source line with a marker,
/// and the hint. No colours, so the output is the same in a terminal and in a log.
pub fn render_human(diags: &[Diagnostic], source: &str) -> String {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_context_lines(1);
    let index = LineIndex::new(source);
    let mut out = String::new();
    for d in diags {
        // Keep the marked range inside the source (a byte-offset past the end confuses miette).
        let mut d = d.clone();
        if d.offset > source.len() {
            d.offset = source.len();
            d.length = 0;
        }
        d.length = d.length.min(source.len() - d.offset);
        let r = Rendered {
            d: &d,
            source: Windowed {
                name: &d.file,
                index: &index,
            },
        };
        if handler.render_report(&mut out, &r).is_err() {
            out.push_str(&d.to_string());
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let idx = LineIndex::new("ab\nåäö x\n");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(3), (2, 1));
        // 'x' is after three two-byte letters and a space.
        assert_eq!(idx.line_col(3 + 7), (2, 5));
        assert_eq!(idx.line_col(1000), (3, 1));
    }

    /// The windowed source gives exactly what miette renders from the whole text.
    #[test]
    fn windowed_rendering_matches_whole_source_rendering() {
        #[derive(Debug)]
        struct Whole<'a>(&'a Diagnostic, miette::NamedSource<String>);
        impl fmt::Display for Whole<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0.message)
            }
        }
        impl std::error::Error for Whole<'_> {}
        impl miette::Diagnostic for Whole<'_> {
            fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
                Some(Box::new(format!(
                    "{}[{}] {}:{}:{}",
                    self.0.severity.as_str(),
                    self.0.code,
                    self.0.file,
                    self.0.line,
                    self.0.column
                )))
            }
            fn severity(&self) -> Option<miette::Severity> {
                Some(match self.0.severity {
                    Severity::Error => miette::Severity::Error,
                    Severity::Warning => miette::Severity::Warning,
                })
            }
            fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
                Some(Box::new(&self.0.hint))
            }
            fn source_code(&self) -> Option<&dyn miette::SourceCode> {
                Some(&self.1)
            }
            fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
                Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
                    Some("here".to_string()),
                    (self.0.offset, self.0.length),
                ))))
            }
        }
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_context_lines(1);
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/packs/broken");
        let mut compared = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            // Also a variant without a final newline, so spans can touch the end.
            for text in [text.clone(), text.trim_end().to_string()] {
                let diags = match crate::pack::parse_pack("f.toml", &text) {
                    Ok(v) => v.warnings,
                    Err(d) => d,
                };
                for d in &diags {
                    let mut expected = String::new();
                    handler
                        .render_report(
                            &mut expected,
                            &Whole(d, miette::NamedSource::new("f.toml", text.clone())),
                        )
                        .unwrap();
                    expected.push('\n');
                    assert_eq!(render_human(std::slice::from_ref(d), &text), expected);
                    compared += 1;
                }
            }
        }
        assert!(compared > 40);
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for (c, _, _) in code::ALL {
            assert!(seen.insert(*c), "duplicate code {c}");
        }
    }
}
