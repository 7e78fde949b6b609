//! The condition language of `when`: lexer, parser, type check against the pack's facts, and
//! evaluation against a case's answered facts.
//!
//! ```text
//! expr   := or ; or := and ("or" and)* ; and := unary ("and" unary)*
//! unary  := "not" unary | "(" expr ")" | test
//! test   := FACT | FACT ("=="|"!=") VALUE | FACT ("<"|"<="|">"|">=") NUM
//!         | FACT "in" "[" VALUE ("," VALUE)* "]" | FACT "has" VALUE
//! VALUE  := 'text' | "text" | NUM | true | false
//! ```
//!
//! Evaluation: a test on a fact the case has not answered yet is false, whatever the operator
//! (`x != 'a'` too). `not` simply negates, so `not online_element` is *true* while
//! `online_element` is unanswered: write `online_element == false` for "answered no".

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::model::{Fact, FactKind, FactValue, Facts};

/// A parsed `when` condition, keeping its source text.
#[derive(Clone)]
pub struct Condition {
    source: String,
    expr: Expr,
}

/// The syntax tree of a condition. Spans are byte ranges in the condition's source.
#[derive(Debug, Clone)]
pub enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Test(Test),
}

/// One test on one fact.
#[derive(Debug, Clone)]
pub struct Test {
    pub fact: String,
    pub fact_span: Range<usize>,
    pub op: TestOp,
}

/// Comparison operators on numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn as_str(&self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// What a test checks.
#[derive(Debug, Clone)]
pub enum TestOp {
    /// `FACT` alone: a bool fact is true.
    IsTrue,
    Eq(Value, Range<usize>),
    Ne(Value, Range<usize>),
    Cmp(CmpOp, f64, Range<usize>),
    In(Vec<(Value, Range<usize>)>),
    Has(Value, Range<usize>),
}

/// A literal in a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Num(f64),
    Bool(bool),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) if s.contains('\'') => write!(f, "\"{s}\""),
            Value::Str(s) => write!(f, "'{s}'"),
            Value::Num(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// What went wrong in a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionErrorKind {
    /// The text does not follow the grammar.
    Syntax,
    /// A fact that the pack does not declare.
    UnknownFact,
    /// An option id that the fact does not have.
    UnknownOption,
    /// An operator or value that does not fit the fact's kind.
    Type,
}

/// An error in a condition, located by a byte range of the condition's source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConditionError {
    pub kind: ConditionErrorKind,
    pub span: Range<usize>,
    pub message: String,
    pub hint: String,
}

impl ConditionError {
    fn syntax(span: Range<usize>, message: impl Into<String>, hint: impl Into<String>) -> Self {
        ConditionError {
            kind: ConditionErrorKind::Syntax,
            span,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    True,
    False,
    And,
    Or,
    Not,
    In,
    Has,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    EqEq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Eof,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Str(s) => format!("text '{s}'"),
            Tok::Num(n) => format!("number {n}"),
            Tok::True => "`true`".into(),
            Tok::False => "`false`".into(),
            Tok::And => "`and`".into(),
            Tok::Or => "`or`".into(),
            Tok::Not => "`not`".into(),
            Tok::In => "`in`".into(),
            Tok::Has => "`has`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Comma => "`,`".into(),
            Tok::EqEq => "`==`".into(),
            Tok::Ne => "`!=`".into(),
            Tok::Lt => "`<`".into(),
            Tok::Le => "`<=`".into(),
            Tok::Gt => "`>`".into(),
            Tok::Ge => "`>=`".into(),
            Tok::Eof => "the end of the condition".into(),
        }
    }
}

/// Words that cannot be fact ids because the grammar uses them.
pub const KEYWORDS: &[&str] = &["and", "or", "not", "in", "has", "true", "false"];

fn lex(src: &str) -> Result<Vec<(Tok, Range<usize>)>, ConditionError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' => {
                out.push((Tok::LParen, start..start + 1));
                i += 1;
            }
            b')' => {
                out.push((Tok::RParen, start..start + 1));
                i += 1;
            }
            b'[' => {
                out.push((Tok::LBracket, start..start + 1));
                i += 1;
            }
            b']' => {
                out.push((Tok::RBracket, start..start + 1));
                i += 1;
            }
            b',' => {
                out.push((Tok::Comma, start..start + 1));
                i += 1;
            }
            b'=' => {
                if bytes.get(i + 1) == Some(&b'=') {
                    out.push((Tok::EqEq, start..start + 2));
                    i += 2;
                } else {
                    return Err(ConditionError::syntax(
                        start..start + 1,
                        "single `=` in condition",
                        "compare with `==`",
                    ));
                }
            }
            b'!' => {
                if bytes.get(i + 1) == Some(&b'=') {
                    out.push((Tok::Ne, start..start + 2));
                    i += 2;
                } else {
                    return Err(ConditionError::syntax(
                        start..start + 1,
                        "`!` is not an operator here",
                        "negate with `not`, or compare with `!=`",
                    ));
                }
            }
            b'<' | b'>' => {
                let eq = bytes.get(i + 1) == Some(&b'=');
                let tok = match (c, eq) {
                    (b'<', false) => Tok::Lt,
                    (b'<', true) => Tok::Le,
                    (_, false) => Tok::Gt,
                    (_, true) => Tok::Ge,
                };
                let len = if eq { 2 } else { 1 };
                out.push((tok, start..start + len));
                i += len;
            }
            b'\'' | b'"' => {
                let quote = c;
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != quote {
                    j += 1;
                }
                if j >= bytes.len() {
                    return Err(ConditionError::syntax(
                        start..bytes.len(),
                        "unterminated text value",
                        format!("close the text with {}", quote as char),
                    ));
                }
                // Quotes are ASCII, so these are char boundaries.
                out.push((Tok::Str(src[i + 1..j].to_string()), start..j + 1));
                i = j + 1;
            }
            b'0'..=b'9' | b'-' | b'.' => {
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
                    j += 1;
                }
                let text = &src[i..j];
                match text.parse::<f64>() {
                    Ok(n) if n.is_finite() && text != "-" => {
                        out.push((Tok::Num(n), start..j));
                    }
                    _ => {
                        return Err(ConditionError::syntax(
                            start..j,
                            format!("`{text}` is not a number"),
                            "write numbers like 72 or 0.5; quote option ids like '12-17'",
                        ))
                    }
                }
                i = j;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                    j += 1;
                }
                let word = &src[i..j];
                let tok = match word {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "in" => Tok::In,
                    "has" => Tok::Has,
                    "true" => Tok::True,
                    "false" => Tok::False,
                    _ => Tok::Ident(word.to_string()),
                };
                out.push((tok, start..j));
                i = j;
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                let end = i + ch.len_utf8();
                let hint = match ch {
                    '&' => "write `and`",
                    '|' => "write `or`",
                    _ => "conditions use fact ids, quotes, numbers, ( ) [ ] , and operators",
                };
                return Err(ConditionError::syntax(
                    start..end,
                    format!("unexpected character `{ch}`"),
                    hint,
                ));
            }
        }
    }
    out.push((Tok::Eof, src.len()..src.len()));
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Parser

/// Deepest nesting accepted, so a hostile condition cannot overflow the stack.
const MAX_DEPTH: usize = 64;

struct Parser {
    toks: Vec<(Tok, Range<usize>)>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }

    fn span(&self) -> Range<usize> {
        self.toks[self.pos].1.clone()
    }

    fn bump(&mut self) -> (Tok, Range<usize>) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn unexpected(&self, expected: &str, hint: &str) -> ConditionError {
        ConditionError::syntax(
            self.span(),
            format!("expected {expected}, found {}", self.peek().describe()),
            hint,
        )
    }

    fn expr(&mut self) -> Result<Expr, ConditionError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ConditionError::syntax(
                self.span(),
                "condition nested too deeply",
                "simplify the condition",
            ));
        }
        let r = self.or();
        self.depth -= 1;
        r
    }

    fn or(&mut self) -> Result<Expr, ConditionError> {
        let mut items = vec![self.and()?];
        while *self.peek() == Tok::Or {
            self.bump();
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, ConditionError> {
        let mut items = vec![self.unary()?];
        while *self.peek() == Tok::And {
            self.bump();
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn unary(&mut self) -> Result<Expr, ConditionError> {
        match self.peek() {
            Tok::Not => {
                self.bump();
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(ConditionError::syntax(
                        self.span(),
                        "condition nested too deeply",
                        "simplify the condition",
                    ));
                }
                let inner = self.unary();
                self.depth -= 1;
                Ok(Expr::Not(Box::new(inner?)))
            }
            Tok::LParen => {
                let (_, open) = self.bump();
                let e = self.expr()?;
                if *self.peek() != Tok::RParen {
                    let mut err = self.unexpected("`)`", "");
                    err.hint = format!(
                        "close the parenthesis opened at character {}",
                        open.start + 1
                    );
                    return Err(err);
                }
                self.bump();
                Ok(e)
            }
            Tok::Ident(_) => self.test(),
            Tok::Eof => Err(self.unexpected(
                "a fact id",
                "a condition needs a test, e.g. online_element or age_band == '12-17'",
            )),
            _ => Err(self.unexpected(
                "a fact id, `not` or `(`",
                "a test starts with a fact id, e.g. age_band == '12-17'",
            )),
        }
    }

    fn value(&mut self) -> Result<(Value, Range<usize>), ConditionError> {
        let (tok, span) = self.toks[self.pos].clone();
        let v = match tok {
            Tok::Str(s) => Value::Str(s),
            Tok::Num(n) => Value::Num(n),
            Tok::True => Value::Bool(true),
            Tok::False => Value::Bool(false),
            Tok::Ident(ref w) => {
                return Err(ConditionError::syntax(
                    span,
                    format!("expected a value, found `{w}`"),
                    format!("quote option ids: '{w}'"),
                ))
            }
            _ => {
                return Err(self.unexpected(
                    "a value",
                    "values are 'text', \"text\", numbers, true or false",
                ))
            }
        };
        self.bump();
        Ok((v, span))
    }

    fn test(&mut self) -> Result<Expr, ConditionError> {
        let (tok, fact_span) = self.bump();
        let fact = match tok {
            Tok::Ident(s) => s,
            _ => unreachable!("test() is called on an identifier"),
        };
        let op = match self.peek().clone() {
            Tok::EqEq | Tok::Ne => {
                let (t, _) = self.bump();
                let (v, s) = self.value()?;
                if t == Tok::EqEq {
                    TestOp::Eq(v, s)
                } else {
                    TestOp::Ne(v, s)
                }
            }
            Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge => {
                let (t, op_span) = self.bump();
                let op = match t {
                    Tok::Lt => CmpOp::Lt,
                    Tok::Le => CmpOp::Le,
                    Tok::Gt => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let (v, s) = self.value()?;
                match v {
                    Value::Num(n) => TestOp::Cmp(op, n, s),
                    _ => {
                        return Err(ConditionError::syntax(
                            s,
                            format!("`{}` compares numbers, found {v}", op.as_str()),
                            format!(
                                "write a number after `{}` (at character {})",
                                op.as_str(),
                                op_span.start + 1
                            ),
                        ))
                    }
                }
            }
            Tok::In => {
                self.bump();
                if *self.peek() != Tok::LBracket {
                    return Err(
                        self.unexpected("`[`", "write a list: age_band in ['6-11', '12-17']")
                    );
                }
                self.bump();
                let mut items = vec![self.value()?];
                while *self.peek() == Tok::Comma {
                    self.bump();
                    if *self.peek() == Tok::RBracket {
                        break; // trailing comma
                    }
                    items.push(self.value()?);
                }
                if *self.peek() != Tok::RBracket {
                    return Err(self.unexpected("`,` or `]`", "close the list with `]`"));
                }
                self.bump();
                TestOp::In(items)
            }
            Tok::Has => {
                self.bump();
                let (v, s) = self.value()?;
                TestOp::Has(v, s)
            }
            _ => TestOp::IsTrue,
        };
        Ok(Expr::Test(Test {
            fact,
            fact_span,
            op,
        }))
    }
}

// ---------------------------------------------------------------------------------------------
// Type check

fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn check_expr(expr: &Expr, facts: &[Fact], errors: &mut Vec<ConditionError>) {
    match expr {
        Expr::Or(items) | Expr::And(items) => {
            for e in items {
                check_expr(e, facts, errors);
            }
        }
        Expr::Not(e) => check_expr(e, facts, errors),
        Expr::Test(t) => check_test(t, facts, errors),
    }
}

fn type_error(span: Range<usize>, message: String, hint: String) -> ConditionError {
    ConditionError {
        kind: ConditionErrorKind::Type,
        span,
        message,
        hint,
    }
}

fn check_option(fact: &Fact, value: &Value, span: &Range<usize>, errors: &mut Vec<ConditionError>) {
    match value {
        Value::Str(s) => {
            if fact.option(s).is_none() {
                let hint = match suggest(s, fact.options.iter().map(|o| o.id.as_str())) {
                    Some(c) => format!("did you mean '{c}'?"),
                    None => format!(
                        "options of `{}`: {}",
                        fact.id,
                        fact.options
                            .iter()
                            .map(|o| format!("'{}'", o.id))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                errors.push(ConditionError {
                    kind: ConditionErrorKind::UnknownOption,
                    span: span.clone(),
                    message: format!("fact `{}` has no option '{s}'", fact.id),
                    hint,
                });
            }
        }
        other => errors.push(type_error(
            span.clone(),
            format!(
                "`{}` is a {} fact: its values are option ids, found {other}",
                fact.id,
                fact.kind.as_str()
            ),
            format!(
                "quote the option id, e.g. '{}'",
                fact.options.first().map(|o| o.id.as_str()).unwrap_or("id")
            ),
        )),
    }
}

fn check_test(t: &Test, facts: &[Fact], errors: &mut Vec<ConditionError>) {
    let Some(fact) = facts.iter().find(|f| f.id == t.fact) else {
        let hint = match suggest(&t.fact, facts.iter().map(|f| f.id.as_str())) {
            Some(c) => format!("did you mean `{c}`?"),
            None => "declare it in a [[fact]] table, or fix the name".to_string(),
        };
        errors.push(ConditionError {
            kind: ConditionErrorKind::UnknownFact,
            span: t.fact_span.clone(),
            message: format!("unknown fact `{}`", t.fact),
            hint,
        });
        return;
    };
    let kind = fact.kind;
    let id = &fact.id;
    match &t.op {
        TestOp::IsTrue => {
            if kind != FactKind::Bool {
                let example = match kind {
                    FactKind::Choice => format!("{id} == '{}'", first_option(fact)),
                    FactKind::Multi => format!("{id} has '{}'", first_option(fact)),
                    _ => format!("{id} > 0"),
                };
                errors.push(type_error(
                    t.fact_span.clone(),
                    format!("`{id}` is a {} fact, not yes/no", kind.as_str()),
                    format!("test its value, e.g. {example}"),
                ));
            }
        }
        TestOp::Eq(v, s) | TestOp::Ne(v, s) => match kind {
            FactKind::Bool => {
                if !matches!(v, Value::Bool(_)) {
                    errors.push(type_error(
                        s.clone(),
                        format!("`{id}` is a yes/no fact, compared with {v}"),
                        "compare with true or false".into(),
                    ));
                }
            }
            FactKind::Number => {
                if !matches!(v, Value::Num(_)) {
                    errors.push(type_error(
                        s.clone(),
                        format!("`{id}` is a number fact, compared with {v}"),
                        "compare with a number, unquoted".into(),
                    ));
                }
            }
            FactKind::Choice => check_option(fact, v, s, errors),
            FactKind::Multi => errors.push(type_error(
                t.fact_span.clone(),
                format!("`{id}` is a multi fact: it holds several options"),
                format!(
                    "test one option with `has`, e.g. {id} has '{}'",
                    first_option(fact)
                ),
            )),
        },
        TestOp::Cmp(op, _, _) => {
            if kind != FactKind::Number {
                errors.push(type_error(
                    t.fact_span.clone(),
                    format!(
                        "`{}` needs a number fact; `{id}` is a {} fact",
                        op.as_str(),
                        kind.as_str()
                    ),
                    "use == or != (bool, choice) or has (multi)".into(),
                ));
            }
        }
        TestOp::In(items) => {
            if kind == FactKind::Choice {
                for (v, s) in items {
                    check_option(fact, v, s, errors);
                }
            } else {
                let hint = match kind {
                    FactKind::Multi => format!(
                        "test each option with `has`: {id} has '{}'",
                        first_option(fact)
                    ),
                    FactKind::Number => "use < <= > >= for numbers".into(),
                    _ => "use == for yes/no facts".into(),
                };
                errors.push(type_error(
                    t.fact_span.clone(),
                    format!(
                        "`in` needs a choice fact; `{id}` is a {} fact",
                        kind.as_str()
                    ),
                    hint,
                ));
            }
        }
        TestOp::Has(v, s) => {
            if kind == FactKind::Multi {
                check_option(fact, v, s, errors);
            } else {
                let hint = match kind {
                    FactKind::Choice => format!("use == or in: {id} == '{}'", first_option(fact)),
                    _ => "`has` is for multi facts".into(),
                };
                errors.push(type_error(
                    t.fact_span.clone(),
                    format!(
                        "`has` needs a multi fact; `{id}` is a {} fact",
                        kind.as_str()
                    ),
                    hint,
                ));
            }
        }
    }
}

fn first_option(fact: &Fact) -> &str {
    fact.options
        .first()
        .map(|o| o.id.as_str())
        .unwrap_or("option")
}

// ---------------------------------------------------------------------------------------------
// Evaluation

fn eval_expr(expr: &Expr, facts: &Facts) -> bool {
    match expr {
        Expr::Or(items) => items.iter().any(|e| eval_expr(e, facts)),
        Expr::And(items) => items.iter().all(|e| eval_expr(e, facts)),
        Expr::Not(e) => !eval_expr(e, facts),
        Expr::Test(t) => eval_test(t, facts),
    }
}

fn value_eq(answer: &FactValue, v: &Value) -> Option<bool> {
    match (answer, v) {
        (FactValue::Bool(a), Value::Bool(b)) => Some(a == b),
        (FactValue::Choice(a), Value::Str(b)) => Some(a == b),
        (FactValue::Number(a), Value::Num(b)) => Some(a == b),
        _ => None,
    }
}

fn eval_test(t: &Test, facts: &Facts) -> bool {
    let Some(answer) = facts.get(&t.fact) else {
        return false;
    };
    match &t.op {
        TestOp::IsTrue => matches!(answer, FactValue::Bool(true)),
        TestOp::Eq(v, _) => value_eq(answer, v).unwrap_or(false),
        TestOp::Ne(v, _) => value_eq(answer, v).map(|b| !b).unwrap_or(false),
        TestOp::Cmp(op, n, _) => match answer {
            FactValue::Number(a) => match op {
                CmpOp::Lt => a < n,
                CmpOp::Le => a <= n,
                CmpOp::Gt => a > n,
                CmpOp::Ge => a >= n,
            },
            _ => false,
        },
        TestOp::In(items) => items
            .iter()
            .any(|(v, _)| value_eq(answer, v).unwrap_or(false)),
        TestOp::Has(v, _) => match (answer, v) {
            (FactValue::Multi(list), Value::Str(s)) => list.iter().any(|x| x == s),
            _ => false,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Public API

impl Condition {
    /// Parses a condition (syntax only; see [`Condition::check`] for the type check).
    pub fn parse(source: &str) -> Result<Condition, ConditionError> {
        let toks = lex(source)?;
        let mut p = Parser {
            toks,
            pos: 0,
            depth: 0,
        };
        let expr = p.expr()?;
        if *p.peek() != Tok::Eof {
            let hint = match p.peek() {
                Tok::Ident(_) => "join tests with `and` or `or`",
                Tok::RParen => "remove the `)` or add the matching `(`",
                _ => "join tests with `and` or `or`",
            };
            return Err(p.unexpected("`and`, `or` or the end of the condition", hint));
        }
        Ok(Condition {
            source: source.to_string(),
            expr,
        })
    }

    /// Type-checks the condition against the pack's facts: every fact exists, every operator
    /// fits the fact's kind, every option id exists. Returns all errors found.
    pub fn check(&self, facts: &[Fact]) -> Vec<ConditionError> {
        let mut errors = Vec::new();
        check_expr(&self.expr, facts, &mut errors);
        errors
    }

    /// Parses and type-checks.
    pub fn parse_checked(source: &str, facts: &[Fact]) -> Result<Condition, Vec<ConditionError>> {
        let c = Condition::parse(source).map_err(|e| vec![e])?;
        let errors = c.check(facts);
        if errors.is_empty() {
            Ok(c)
        } else {
            Err(errors)
        }
    }

    /// Whether the condition holds for these answered facts. A test on an unanswered fact is
    /// false; `not` negates that (so `not x` is true while `x` is unanswered).
    pub fn eval(&self, facts: &Facts) -> bool {
        eval_expr(&self.expr, facts)
    }

    /// The condition as written in the pack.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The syntax tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// The fact ids the condition reads, each once, in order of first use.
    pub fn facts_used(&self) -> Vec<&str> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
            match e {
                Expr::Or(items) | Expr::And(items) => items.iter().for_each(|i| walk(i, out)),
                Expr::Not(i) => walk(i, out),
                Expr::Test(t) => {
                    if !out.contains(&t.fact.as_str()) {
                        out.push(&t.fact);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, &mut out);
        out
    }

    /// A canonical rendering (normalised spacing, quotes and parentheses): two conditions with
    /// the same canonical form mean the same thing.
    pub fn canonical(&self) -> String {
        self.expr.to_string()
    }

    /// The literals each fact is compared with (for exhaustive reasoning over conditions).
    pub(crate) fn literals(&self) -> Vec<(&str, &Value)> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<(&'a str, &'a Value)>) {
            match e {
                Expr::Or(items) | Expr::And(items) => items.iter().for_each(|i| walk(i, out)),
                Expr::Not(i) => walk(i, out),
                Expr::Test(t) => match &t.op {
                    TestOp::IsTrue => {}
                    TestOp::Eq(v, _) | TestOp::Ne(v, _) | TestOp::Has(v, _) => {
                        out.push((&t.fact, v))
                    }
                    TestOp::Cmp(_, _, _) => {}
                    TestOp::In(items) => items.iter().for_each(|(v, _)| out.push((&t.fact, v))),
                },
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, &mut out);
        out
    }

    /// The numbers each number fact is compared with.
    pub(crate) fn thresholds(&self) -> Vec<(&str, f64)> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<(&'a str, f64)>) {
            match e {
                Expr::Or(items) | Expr::And(items) => items.iter().for_each(|i| walk(i, out)),
                Expr::Not(i) => walk(i, out),
                Expr::Test(t) => match &t.op {
                    TestOp::Cmp(_, n, _) => out.push((&t.fact, *n)),
                    TestOp::Eq(Value::Num(n), _) | TestOp::Ne(Value::Num(n), _) => {
                        out.push((&t.fact, *n))
                    }
                    _ => {}
                },
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, &mut out);
        out
    }
}

fn fmt_expr(e: &Expr, parent_prec: u8, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    // precedence: or = 1, and = 2, not/test = 3
    match e {
        Expr::Or(items) | Expr::And(items) => {
            let (prec, word) = if matches!(e, Expr::Or(_)) {
                (1, " or ")
            } else {
                (2, " and ")
            };
            if prec < parent_prec {
                f.write_str("(")?;
            }
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(word)?;
                }
                fmt_expr(item, prec + 1, f)?;
            }
            if prec < parent_prec {
                f.write_str(")")?;
            }
            Ok(())
        }
        Expr::Not(inner) => {
            f.write_str("not ")?;
            fmt_expr(inner, 3, f)
        }
        Expr::Test(t) => {
            f.write_str(&t.fact)?;
            match &t.op {
                TestOp::IsTrue => Ok(()),
                TestOp::Eq(v, _) => write!(f, " == {v}"),
                TestOp::Ne(v, _) => write!(f, " != {v}"),
                TestOp::Cmp(op, n, _) => write!(f, " {} {n}", op.as_str()),
                TestOp::In(items) => {
                    let list: BTreeSet<String> = items.iter().map(|(v, _)| v.to_string()).collect();
                    write!(
                        f,
                        " in [{}]",
                        list.into_iter().collect::<Vec<_>>().join(", ")
                    )
                }
                TestOp::Has(v, _) => write!(f, " has {v}"),
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_expr(self, 0, f)
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Condition").field(&self.source).finish()
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Two conditions are equal when they mean the same thing written the same way, up to
/// spacing, quote style and redundant parentheses.
impl PartialEq for Condition {
    fn eq(&self, other: &Self) -> bool {
        self.canonical() == other.canonical()
    }
}

/// Serialised as its source text.
impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

/// Deserialised by parsing the source text (syntax only: the type check needs the pack).
impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Condition::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::model::{FactOption, Text};

    fn facts() -> Vec<Fact> {
        let opt = |id: &str| FactOption {
            id: id.into(),
            label: Text::single("en", id),
        };
        vec![
            Fact {
                id: "online_element".into(),
                kind: FactKind::Bool,
                question: Text::default(),
                options: vec![],
                min: None,
                max: None,
            },
            Fact {
                id: "age_band".into(),
                kind: FactKind::Choice,
                question: Text::default(),
                options: vec![opt("0-5"), opt("6-11"), opt("12-17")],
                min: None,
                max: None,
            },
            Fact {
                id: "abuse_types".into(),
                kind: FactKind::Multi,
                question: Text::default(),
                options: vec![opt("grooming"), opt("sextortion"), opt("contact")],
                min: None,
                max: None,
            },
            Fact {
                id: "hours".into(),
                kind: FactKind::Number,
                question: Text::default(),
                options: vec![],
                min: Some(0.0),
                max: None,
            },
        ]
    }

    fn answers(list: &[(&str, FactValue)]) -> Facts {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn evaluates_every_test_form() {
        let f = answers(&[
            ("online_element", FactValue::Bool(true)),
            ("age_band", FactValue::Choice("12-17".into())),
            ("abuse_types", FactValue::Multi(vec!["sextortion".into()])),
            ("hours", FactValue::Number(30.0)),
        ]);
        let yes = [
            "online_element",
            "online_element == true",
            "age_band == '12-17'",
            "age_band != \"0-5\"",
            "age_band in ['6-11', '12-17']",
            "abuse_types has 'sextortion'",
            "hours < 72 and hours >= 30",
            "not (hours > 72) or online_element == false",
            "online_element and abuse_types has 'sextortion'",
        ];
        for src in yes {
            let c = Condition::parse_checked(src, &facts()).unwrap();
            assert!(c.eval(&f), "{src} should hold");
        }
        let no = [
            "online_element == false",
            "age_band == '0-5'",
            "abuse_types has 'contact'",
            "hours > 72",
            "not online_element",
        ];
        for src in no {
            let c = Condition::parse_checked(src, &facts()).unwrap();
            assert!(!c.eval(&f), "{src} should not hold");
        }
    }

    #[test]
    fn unanswered_facts_make_tests_false_and_not_negates() {
        let none = Facts::new();
        for src in [
            "online_element",
            "age_band != '0-5'",
            "hours < 10",
            "abuse_types has 'contact'",
        ] {
            assert!(!Condition::parse(src).unwrap().eval(&none), "{src}");
        }
        assert!(Condition::parse("not online_element").unwrap().eval(&none));
    }

    #[test]
    fn precedence_and_binds_tighter_than_or() {
        let c = Condition::parse("a or b and c").unwrap();
        assert_eq!(c.canonical(), "a or b and c");
        assert!(matches!(c.expr(), Expr::Or(items) if items.len() == 2));
        let c = Condition::parse("(a or b) and c").unwrap();
        assert_eq!(c.canonical(), "(a or b) and c");
    }

    #[test]
    fn syntax_errors_point_at_the_offending_token() {
        let e = Condition::parse("online_element and").unwrap_err();
        assert_eq!(e.span, 18..18);
        let e = Condition::parse("age_band = '1'").unwrap_err();
        assert_eq!(e.span, 9..10);
        assert_eq!(e.hint, "compare with `==`");
        let e = Condition::parse("(a or b").unwrap_err();
        assert_eq!(e.span, 7..7);
        let e = Condition::parse("a b").unwrap_err();
        assert_eq!(e.span, 2..3);
        let e = Condition::parse("age_band == 'x").unwrap_err();
        assert_eq!(e.span.start, 12);
        let e = Condition::parse("a && b").unwrap_err();
        assert_eq!(e.hint, "write `and`");
        let e = Condition::parse("age_band in ['a' 'b']").unwrap_err();
        assert_eq!(e.span, 17..20);
    }

    #[test]
    fn type_errors_name_the_fact_and_suggest() {
        let errs = Condition::parse_checked("age_bnd == '0-5'", &facts()).unwrap_err();
        assert_eq!(errs[0].kind, ConditionErrorKind::UnknownFact);
        assert_eq!(errs[0].hint, "did you mean `age_band`?");
        assert_eq!(errs[0].span, 0..7);
        let errs = Condition::parse_checked("abuse_types has 'sextorsion'", &facts()).unwrap_err();
        assert_eq!(errs[0].kind, ConditionErrorKind::UnknownOption);
        assert_eq!(errs[0].hint, "did you mean 'sextortion'?");
        assert_eq!(errs[0].span, 16..28);
        let errs =
            Condition::parse_checked("age_band and hours == 'x' or abuse_types == 'c'", &facts())
                .unwrap_err();
        assert_eq!(errs.len(), 3);
        assert!(errs.iter().all(|e| e.kind == ConditionErrorKind::Type));
        let errs = Condition::parse_checked("online_element has 'x'", &facts()).unwrap_err();
        assert_eq!(errs[0].kind, ConditionErrorKind::Type);
    }

    #[test]
    fn facts_used_and_serde_round_trip() {
        let c = Condition::parse("hours < 72 and (online_element or hours > 1)").unwrap();
        assert_eq!(c.facts_used(), vec!["hours", "online_element"]);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, "\"hours < 72 and (online_element or hours > 1)\"");
        let back: Condition = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let src = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(Condition::parse(&src).is_err());
        let src = format!("{}a", "not ".repeat(10_000));
        assert!(Condition::parse(&src).is_err());
    }
}
