//! Anonymised statistics for regional data collection, with small-cell suppression.
//!
//! A pure function over plain per-case records: the store reads the records, this module
//! aggregates them. The output holds no case reference, no free text and no exact date:
//! only pack versions, months or quarters, category labels, counts, shares and medians.
//!
//! Tables (one row per pack version and period, by the month the case was opened):
//! - `cases_by_<fact>`: cases opened, by each category of a fact (online element, age
//!   band, form of abuse), with a row total and a total row;
//! - `steps_on_time`: per role, the share of steps with a deadline that were done on time;
//! - `days_to_milestones`: per milestone (forensic interview, medical examination, start
//!   of therapy), the number of cases that reached it and the median days from opening.
//!
//! Suppression: a count from 1 to k−1 is shown as `<k`. In the count tables, further
//! cells are suppressed (complementary suppression) until no suppressed cell can be
//! worked out exactly from the shown cells and the row and column totals; a
//! complementary cell below k (a zero) is shown as `<k` too, one of k or more as `x`.
//! Two checks decide that no cell can be worked out: interval reasoning over every
//! total equation with the bounds a reader knows (`<k` is 0 to k−1, `x` is k or more,
//! repeated until nothing narrows), and a rank test over all equations together
//! (linear algebra) for values that follow from a combination of them. The row totals (cases opened per pack version and period) appear in
//! every `cases_by_*` table and are suppressed alike in all of them. A share or median
//! resting on fewer than k cases (or k steps) is suppressed too, and the shares and
//! milestone figures of a group whose total is hidden are hidden as well (a share of
//! 33.3 % would suggest 3 cases).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use thiserror::Error;

/// One case as the statistics see it: categories and dates, nothing else.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsCase {
    /// Pack key, `id@version`.
    pub pack: String,
    pub opened_at: DateTime<Utc>,
    /// Categorical facts: fact id to its value labels (a bool as `yes`/`no`, a choice as
    /// one label, a multiple choice as several). Numbers must be banded by the caller.
    pub facts: BTreeMap<String, Vec<String>>,
    pub steps: Vec<StatsStep>,
    pub milestones: Milestones,
}

/// One applicable step of a case.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsStep {
    /// The role that owns the step (`police`, `social-services`, ...).
    pub role: String,
    pub due: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
}

/// When the case reached the milestones the export reports on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Milestones {
    pub forensic_interview: Option<DateTime<Utc>>,
    pub medical_examination: Option<DateTime<Utc>>,
    pub therapy_start: Option<DateTime<Utc>>,
}

/// The category labels of a pack fact value for [`StatsCase::facts`]: a yes/no fact as
/// `yes` or `no`, a choice as its option, a multiple choice as its options. A number is
/// not a category (it could single a child out) and gives `None`.
pub fn fact_labels(value: &crate::pack::FactValue) -> Option<Vec<String>> {
    use crate::pack::FactValue;
    match value {
        FactValue::Bool(b) => Some(vec![if *b { "yes" } else { "no" }.to_string()]),
        FactValue::Choice(c) => Some(vec![c.clone()]),
        FactValue::Multi(m) => Some(m.clone()),
        FactValue::Number(_) => None,
    }
}

/// All categorical facts of a case, ready for [`StatsCase::facts`] (numbers left out).
pub fn categorical_facts(facts: &crate::pack::Facts) -> BTreeMap<String, Vec<String>> {
    facts
        .iter()
        .filter_map(|(k, v)| fact_labels(v).map(|labels| (k.clone(), labels)))
        .collect()
}

/// Grouping of cases in time, by the date they were opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Month,
    Quarter,
}

impl Period {
    fn label(self, date: NaiveDate) -> String {
        match self {
            Period::Month => format!("{:04}-{:02}", date.year(), date.month()),
            Period::Quarter => format!("{:04}-Q{}", date.year(), (date.month() - 1) / 3 + 1),
        }
    }
}

/// A fact to break the case counts down by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown {
    pub fact: String,
    /// Category labels always shown as columns, in this order (from the pack); labels
    /// found in the data but not listed are added after them.
    pub values: Vec<String>,
    /// True for a multiple-choice fact: a case counts once in each of its categories,
    /// so a row's cells need not add up to its total.
    pub multi: bool,
}

/// What to export.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsOptions {
    /// First and last day (inclusive) of the opening dates to include.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Smallest count shown; counts from 1 to k−1 are suppressed.
    pub k: u64,
    pub period: Period,
    /// When the export is made: a step not done by its deadline counts as late only if
    /// the deadline has passed by then.
    pub as_of: DateTime<Utc>,
    pub breakdowns: Vec<Breakdown>,
}

impl StatsOptions {
    /// Monthly export with k = 5, broken down by the facts of the shipped pack:
    /// `online_element` (yes/no), `age_band` and `abuse_types` (multiple choice).
    pub fn new(from: NaiveDate, to: NaiveDate, as_of: DateTime<Utc>) -> StatsOptions {
        StatsOptions {
            from,
            to,
            k: 5,
            period: Period::Month,
            as_of,
            breakdowns: vec![
                Breakdown {
                    fact: "online_element".into(),
                    values: vec!["yes".into(), "no".into()],
                    multi: false,
                },
                Breakdown {
                    fact: "age_band".into(),
                    values: vec![],
                    multi: false,
                },
                Breakdown {
                    fact: "abuse_types".into(),
                    values: vec![],
                    multi: true,
                },
            ],
        }
    }
}

/// The column for cases where a fact was not answered.
pub const NOT_RECORDED: &str = "not recorded";
/// The column and row label of totals.
pub const TOTAL: &str = "total";

/// Why no export was made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StatsError {
    #[error("k = {k} is not a usable suppression threshold: give k of at least 1 (5 or more is usual for regional statistics)")]
    InvalidK { k: u64 },
    #[error("the period {from} to {to} is empty: --from must not be after --to")]
    EmptyPeriod { from: NaiveDate, to: NaiveDate },
}

/// One cell of a table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    Count(u64),
    /// A count below k, shown as `<k`: a count from 1 to k−1, or a zero hidden to
    /// protect one; also a share or median resting on fewer than k cases.
    Suppressed {
        k: u64,
    },
    /// A count of k or more, hidden (shown as `x`) so that a suppressed count cannot be
    /// worked out from the totals.
    Hidden,
    /// A share in percent, one decimal.
    Percent(f64),
    /// A median number of days.
    Days(f64),
    /// Nothing to show (no case reached this, no step of this role).
    Empty,
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Count(n) => write!(f, "{n}"),
            Cell::Suppressed { k } => write!(f, "<{k}"),
            Cell::Hidden => f.write_str("x"),
            Cell::Percent(p) => write!(f, "{p:.1}"),
            Cell::Days(d) => write!(f, "{d}"),
            Cell::Empty => Ok(()),
        }
    }
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Count(n) => s.serialize_u64(*n),
            Cell::Percent(p) => s.serialize_f64((p * 10.0).round() / 10.0),
            Cell::Days(d) => s.serialize_f64(*d),
            Cell::Suppressed { k } => s.serialize_str(&format!("<{k}")),
            Cell::Hidden => s.serialize_str("x"),
            Cell::Empty => s.serialize_none(),
        }
    }
}

/// A row: pack version and period (or `total`), then one cell per column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub pack: String,
    pub period: String,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Stable identifier: `cases_by_age_band`, `steps_on_time`, `days_to_milestones`.
    pub id: String,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    /// The cell in the row for (`pack`, `period`) and the named column.
    pub fn cell(&self, pack: &str, period: &str, column: &str) -> Option<Cell> {
        let c = self.columns.iter().position(|x| x == column)?;
        self.rows
            .iter()
            .find(|r| r.pack == pack && r.period == period)
            .and_then(|r| r.cells.get(c).copied())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsReport {
    pub k: u64,
    pub period: Period,
    pub tables: Vec<Table>,
}

impl StatsReport {
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }

    /// Long-format CSV: `table,pack,period,column,value`, one line per cell.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("table,pack,period,column,value\n");
        for t in &self.tables {
            for r in &t.rows {
                for (col, cell) in t.columns.iter().zip(&r.cells) {
                    let fields = [
                        t.id.as_str(),
                        r.pack.as_str(),
                        r.period.as_str(),
                        col.as_str(),
                        &cell.to_string(),
                    ];
                    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                    out.push_str(&line.join(","));
                    out.push('\n');
                }
            }
        }
        out
    }

    /// Pretty JSON of the whole report.
    pub fn to_json(&self) -> String {
        // Serialising plain strings and numbers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

type GroupKey = (String, String);

/// Aggregate `cases` into the anonymised tables.
pub fn aggregate(cases: &[StatsCase], options: &StatsOptions) -> Result<StatsReport, StatsError> {
    if options.k == 0 {
        return Err(StatsError::InvalidK { k: options.k });
    }
    if options.from > options.to {
        return Err(StatsError::EmptyPeriod {
            from: options.from,
            to: options.to,
        });
    }
    let k = options.k;
    let selected: Vec<&StatsCase> = cases
        .iter()
        .filter(|c| {
            let d = c.opened_at.date_naive();
            d >= options.from && d <= options.to
        })
        .collect();
    let mut groups: BTreeMap<GroupKey, Vec<&StatsCase>> = BTreeMap::new();
    for c in &selected {
        let key = (
            c.pack.clone(),
            options.period.label(c.opened_at.date_naive()),
        );
        groups.entry(key).or_default().push(c);
    }
    let keys: Vec<GroupKey> = groups.keys().cloned().collect();

    // Count tables, with the shared row totals suppressed alike in all of them.
    let matrices: Vec<CountMatrix> = options
        .breakdowns
        .iter()
        .map(|b| count_matrix(b, &keys, &groups))
        .collect();
    let mut forced: BTreeSet<Margin> = BTreeSet::new();
    let (masks, forced) = loop {
        let masks: Vec<Mask> = matrices.iter().map(|m| suppress(m, k, &forced)).collect();
        let mut shared = forced.clone();
        for mask in &masks {
            for (i, s) in mask.row_totals.iter().enumerate() {
                if *s {
                    shared.insert(Margin::RowTotal(i));
                }
            }
            if mask.grand_total {
                shared.insert(Margin::GrandTotal);
            }
        }
        if shared == forced {
            break (masks, forced);
        }
        forced = shared;
    };
    let mut tables: Vec<Table> = matrices
        .iter()
        .zip(&masks)
        .zip(&options.breakdowns)
        .map(|((m, mask), b)| count_table(b, m, mask, &keys, k))
        .collect();
    // A share or a milestone count would hint at the size of a group whose total the
    // count tables hide (33.3 % suggests 3 cases), so those groups are hidden there too.
    let hidden_groups: BTreeSet<usize> = forced
        .iter()
        .filter_map(|m| match m {
            Margin::RowTotal(i) => Some(*i),
            Margin::GrandTotal => None,
        })
        .collect();
    tables.push(on_time_table(&keys, &groups, options, &hidden_groups));
    tables.push(milestone_table(&keys, &groups, k, &hidden_groups));
    Ok(StatsReport {
        k,
        period: options.period,
        tables,
    })
}

/// Counts of one breakdown: rows are the groups, columns the categories.
struct CountMatrix {
    columns: Vec<String>,
    cells: Vec<Vec<u64>>,
    row_totals: Vec<u64>,
    additive_rows: bool,
}

impl CountMatrix {
    fn column_totals(&self) -> Vec<u64> {
        (0..self.columns.len())
            .map(|j| self.cells.iter().map(|r| r[j]).sum())
            .collect()
    }
    fn grand_total(&self) -> u64 {
        self.row_totals.iter().sum()
    }
}

fn count_matrix(
    b: &Breakdown,
    keys: &[GroupKey],
    groups: &BTreeMap<GroupKey, Vec<&StatsCase>>,
) -> CountMatrix {
    let mut columns = b.values.clone();
    let mut extra: BTreeSet<String> = BTreeSet::new();
    let mut seen_not_recorded = false;
    for cases in groups.values() {
        for c in cases {
            match c.facts.get(&b.fact) {
                Some(vals) if !vals.is_empty() => {
                    extra.extend(vals.iter().filter(|v| !columns.contains(v)).cloned());
                }
                _ => seen_not_recorded = true,
            }
        }
    }
    columns.extend(extra);
    if seen_not_recorded {
        columns.push(NOT_RECORDED.to_string());
    }
    let cells = keys
        .iter()
        .map(|key| {
            let mut row = vec![0u64; columns.len()];
            for c in groups.get(key).map(Vec::as_slice).unwrap_or(&[]) {
                let vals: BTreeSet<&str> = match c.facts.get(&b.fact) {
                    Some(v) if !v.is_empty() => v.iter().map(String::as_str).collect(),
                    _ => BTreeSet::from([NOT_RECORDED]),
                };
                for v in vals {
                    if let Some(j) = columns.iter().position(|x| x == v) {
                        row[j] += 1;
                    }
                }
            }
            row
        })
        .collect();
    let row_totals = keys
        .iter()
        .map(|key| groups.get(key).map_or(0, |g| g.len() as u64))
        .collect();
    CountMatrix {
        columns,
        cells,
        row_totals,
        // A case may have several values of a multiple-choice fact, and a single-choice
        // fact recorded with several labels would break additivity the same way.
        additive_rows: !b.multi,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Margin {
    RowTotal(usize),
    GrandTotal,
}

/// Which cells of a count table are suppressed.
#[derive(Debug, Clone, PartialEq)]
struct Mask {
    cells: Vec<Vec<bool>>,
    row_totals: Vec<bool>,
    column_totals: Vec<bool>,
    grand_total: bool,
}

/// Positions of all cells of a count table in one index space: interior cells, then
/// row totals, column totals and the grand total.
struct Layout {
    rows: usize,
    cols: usize,
}

impl Layout {
    fn cell(&self, i: usize, j: usize) -> usize {
        i * self.cols + j
    }
    fn row_total(&self, i: usize) -> usize {
        self.rows * self.cols + i
    }
    fn column_total(&self, j: usize) -> usize {
        self.rows * self.cols + self.rows + j
    }
    fn grand(&self) -> usize {
        self.rows * self.cols + self.rows + self.cols
    }
    fn len(&self) -> usize {
        self.grand() + 1
    }
    fn is_interior(&self, idx: usize) -> bool {
        idx < self.rows * self.cols
    }
}

/// The total equations of a table, each as the cell indices that add up to 0 with
/// the signs given (+1 for a part, −1 for the total).
fn equations(m: &CountMatrix, l: &Layout) -> Vec<Vec<(usize, f64)>> {
    let mut eqs = Vec::new();
    for j in 0..l.cols {
        let mut e: Vec<(usize, f64)> = (0..l.rows).map(|i| (l.cell(i, j), 1.0)).collect();
        e.push((l.column_total(j), -1.0));
        eqs.push(e);
    }
    let mut e: Vec<(usize, f64)> = (0..l.rows).map(|i| (l.row_total(i), 1.0)).collect();
    e.push((l.grand(), -1.0));
    eqs.push(e);
    if m.additive_rows {
        for i in 0..l.rows {
            let mut e: Vec<(usize, f64)> = (0..l.cols).map(|j| (l.cell(i, j), 1.0)).collect();
            e.push((l.row_total(i), -1.0));
            eqs.push(e);
        }
        let mut e: Vec<(usize, f64)> = (0..l.cols).map(|j| (l.column_total(j), 1.0)).collect();
        e.push((l.grand(), -1.0));
        eqs.push(e);
    }
    eqs
}

/// Reduced row echelon form, in place; returns the pivot column of each nonzero row.
/// The entries are small integers, so a fixed tolerance is safe.
fn rref(a: &mut [Vec<f64>]) -> Vec<usize> {
    let cols = a.first().map_or(0, Vec::len);
    let mut pivots = Vec::new();
    let mut r = 0;
    for c in 0..cols {
        if r == a.len() {
            break;
        }
        let Some(p) = (r..a.len()).max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs())) else {
            break;
        };
        if a[p][c].abs() < 1e-9 {
            continue;
        }
        a.swap(r, p);
        let scale = a[r][c];
        for x in a[r].iter_mut() {
            *x /= scale;
        }
        let pivot = a[r].clone();
        for (i, row) in a.iter_mut().enumerate() {
            if i != r && row[c].abs() > 1e-12 {
                let f = row[c];
                for (x, y) in row.iter_mut().zip(&pivot) {
                    *x -= f * y;
                }
            }
        }
        pivots.push(c);
        r += 1;
    }
    pivots
}

/// Suppressed cells whose value follows exactly from the shown cells and the totals by
/// combining equations: cell u is determined when its unit vector lies in the row space
/// of the equations restricted to the suppressed cells, that is when u is a pivot column
/// of the reduced row echelon form whose row has no other nonzero entry.
fn determined(eqs: &[Vec<(usize, f64)>], suppressed: &[usize]) -> Vec<usize> {
    let pos: BTreeMap<usize, usize> = suppressed
        .iter()
        .enumerate()
        .map(|(p, &u)| (u, p))
        .collect();
    let mut a: Vec<Vec<f64>> = eqs
        .iter()
        .map(|e| {
            let mut row = vec![0.0; suppressed.len()];
            for (idx, coef) in e {
                if let Some(&p) = pos.get(idx) {
                    row[p] += coef;
                }
            }
            row
        })
        .filter(|row| row.iter().any(|x| x.abs() > 1e-12))
        .collect();
    let pivots = rref(&mut a);
    pivots
        .iter()
        .enumerate()
        .filter(|&(r, &c)| {
            a[r].iter()
                .enumerate()
                .all(|(j, x)| j == c || x.abs() < 1e-9)
        })
        .map(|(_, &c)| suppressed[c])
        .collect()
}

/// Stands for "no upper bound" in the interval reasoning below.
const UNBOUNDED: i128 = 1 << 60;

/// Suppressed cells a reader can pin to one value by bounds alone, each with the
/// equation that pinned it, in the order found: a `<k` cell lies in 0..=k−1, a hidden
/// cell is at least k, shown cells are exact; each total equation narrows the interval
/// of its suppressed cells, repeated until nothing changes.
fn pinned_by_bounds(
    eqs: &[Vec<(usize, f64)>],
    sup: &[bool],
    values: &[u64],
    k: u64,
) -> Vec<(usize, usize)> {
    let (k, n) = (k as i128, values.len());
    let mut lo = vec![0i128; n];
    let mut hi = vec![0i128; n];
    for i in 0..n {
        let v = values[i] as i128;
        (lo[i], hi[i]) = if !sup[i] {
            (v, v)
        } else if v < k {
            (0, k - 1)
        } else {
            (k, UNBOUNDED)
        };
    }
    let mut pins: Vec<(usize, usize)> = Vec::new();
    for _ in 0..n.max(4) {
        let mut changed = false;
        for (eq, e) in eqs.iter().enumerate() {
            for &(i, ai) in e {
                if !sup[i] {
                    continue;
                }
                // ai·x_i = −Σ_{j≠i} a_j·x_j
                let (mut smin, mut smax) = (0i128, 0i128);
                for &(j, aj) in e {
                    if j == i {
                        continue;
                    }
                    if aj > 0.0 {
                        smin += lo[j];
                        smax += hi[j];
                    } else {
                        smin -= hi[j];
                        smax -= lo[j];
                    }
                }
                let (imin, imax) = if ai > 0.0 {
                    (-smax, -smin)
                } else {
                    (smin, smax)
                };
                let new_lo = lo[i].max(imin);
                let new_hi = if imax >= UNBOUNDED / 2 {
                    hi[i]
                } else {
                    hi[i].min(imax)
                };
                if new_lo != lo[i] || new_hi != hi[i] {
                    (lo[i], hi[i]) = (new_lo, new_hi);
                    changed = true;
                    if new_lo == new_hi && !pins.iter().any(|&(c, _)| c == i) {
                        pins.push((i, eq));
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    pins
}

fn suppress(m: &CountMatrix, k: u64, forced: &BTreeSet<Margin>) -> Mask {
    let l = Layout {
        rows: m.cells.len(),
        cols: m.columns.len(),
    };
    let mut values = vec![0u64; l.len()];
    for (i, row) in m.cells.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            values[l.cell(i, j)] = *v;
        }
    }
    for (i, v) in m.row_totals.iter().enumerate() {
        values[l.row_total(i)] = *v;
    }
    for (j, v) in m.column_totals().iter().enumerate() {
        values[l.column_total(j)] = *v;
    }
    values[l.grand()] = m.grand_total();

    let mut sup: Vec<bool> = values.iter().map(|&v| v > 0 && v < k).collect();
    for f in forced {
        match f {
            Margin::RowTotal(i) if *i < l.rows => sup[l.row_total(*i)] = true,
            Margin::GrandTotal => sup[l.grand()] = true,
            _ => {}
        }
    }
    let eqs = equations(m, &l);
    let suppressed_in =
        |e: &Vec<(usize, f64)>, sup: &[bool]| e.iter().filter(|(i, _)| sup[*i]).count();
    let open_in = |e: &Vec<(usize, f64)>, sup: &[bool]| e.iter().any(|(i, _)| !sup[*i]);
    loop {
        // A suppressed cell a reader could work out, by bounds or by combining equations,
        // and the line to take a complement from: a line with a single suppressed cell
        // if there is one, else the line that pinned the cell, else the cell's line
        // with the fewest suppressed cells.
        let pins = pinned_by_bounds(&eqs, &sup, &values, k);
        let exposed = pins.first().map(|&(c, e)| (c, Some(e))).or_else(|| {
            let suppressed: Vec<usize> = (0..l.len()).filter(|&i| sup[i]).collect();
            determined(&eqs, &suppressed).first().map(|&c| (c, None))
        });
        let Some((d, pinning)) = exposed else {
            break;
        };
        let line = eqs
            .iter()
            .position(|e| suppressed_in(e, &sup) == 1 && open_in(e, &sup))
            .or(pinning.filter(|&e| open_in(&eqs[e], &sup)))
            .or_else(|| {
                (0..eqs.len())
                    .filter(|&e| eqs[e].iter().any(|(i, _)| *i == d) && open_in(&eqs[e], &sup))
                    .min_by_key(|&e| suppressed_in(&eqs[e], &sup))
            });
        // Complement: prefer interior cells to totals, cells in lines that already have
        // suppressed cells (so suppressed cells form rectangles), then the smallest.
        let lines_with_suppressed = |idx: usize| {
            eqs.iter()
                .filter(|e| e.iter().any(|(i, _)| *i == idx) && e.iter().any(|(i, _)| sup[*i]))
                .count()
        };
        let key = |i: usize| {
            (
                !l.is_interior(i),
                std::cmp::Reverse(lines_with_suppressed(i)),
                values[i],
                i,
            )
        };
        let complement = match line {
            Some(e) => eqs[e]
                .iter()
                .map(|(i, _)| *i)
                .filter(|&i| !sup[i])
                .min_by_key(|&i| key(i)),
            None => (0..l.len()).filter(|&i| !sup[i]).min_by_key(|&i| key(i)),
        };
        match complement {
            Some(c) => sup[c] = true,
            None => break,
        }
    }
    Mask {
        cells: (0..l.rows)
            .map(|i| (0..l.cols).map(|j| sup[l.cell(i, j)]).collect())
            .collect(),
        row_totals: (0..l.rows).map(|i| sup[l.row_total(i)]).collect(),
        column_totals: (0..l.cols).map(|j| sup[l.column_total(j)]).collect(),
        grand_total: sup[l.grand()],
    }
}

fn shown(v: u64, suppressed: bool, k: u64) -> Cell {
    if !suppressed {
        Cell::Count(v)
    } else if v < k {
        Cell::Suppressed { k }
    } else {
        Cell::Hidden
    }
}

fn count_table(b: &Breakdown, m: &CountMatrix, mask: &Mask, keys: &[GroupKey], k: u64) -> Table {
    let mut columns = m.columns.clone();
    columns.push(TOTAL.to_string());
    let mut rows: Vec<Row> = keys
        .iter()
        .enumerate()
        .map(|(i, (pack, period))| {
            let mut cells: Vec<Cell> = m.cells[i]
                .iter()
                .zip(&mask.cells[i])
                .map(|(&v, &s)| shown(v, s, k))
                .collect();
            cells.push(shown(m.row_totals[i], mask.row_totals[i], k));
            Row {
                pack: pack.clone(),
                period: period.clone(),
                cells,
            }
        })
        .collect();
    let mut total_cells: Vec<Cell> = m
        .column_totals()
        .iter()
        .zip(&mask.column_totals)
        .map(|(&v, &s)| shown(v, s, k))
        .collect();
    total_cells.push(shown(m.grand_total(), mask.grand_total, k));
    rows.push(Row {
        pack: TOTAL.to_string(),
        period: TOTAL.to_string(),
        cells: total_cells,
    });
    Table {
        id: format!("cases_by_{}", b.fact),
        title: format!("Cases opened by {}", b.fact.replace('_', " ")),
        columns,
        rows,
    }
}

fn on_time_table(
    keys: &[GroupKey],
    groups: &BTreeMap<GroupKey, Vec<&StatsCase>>,
    options: &StatsOptions,
    hidden_groups: &BTreeSet<usize>,
) -> Table {
    let k = options.k;
    let roles: BTreeSet<&str> = groups
        .values()
        .flatten()
        .flat_map(|c| {
            c.steps
                .iter()
                .filter(|s| s.due.is_some())
                .map(|s| s.role.as_str())
        })
        .collect();
    let rows = keys
        .iter()
        .enumerate()
        .map(|(g, key)| {
            let cases = groups.get(key).map(Vec::as_slice).unwrap_or(&[]);
            let cells = roles
                .iter()
                .map(|role| {
                    let (mut on_time, mut decided, mut contributing) = (0u64, 0u64, 0u64);
                    for c in cases {
                        let mut any = false;
                        for s in c.steps.iter().filter(|s| s.role == *role) {
                            let Some(due) = s.due else { continue };
                            match s.done_at {
                                Some(done) => {
                                    decided += 1;
                                    any = true;
                                    if done <= due {
                                        on_time += 1;
                                    }
                                }
                                None if due < options.as_of => {
                                    decided += 1;
                                    any = true;
                                }
                                None => {}
                            }
                        }
                        contributing += u64::from(any);
                    }
                    if decided == 0 {
                        Cell::Empty
                    } else if contributing < k || decided < k {
                        Cell::Suppressed { k }
                    } else if hidden_groups.contains(&g) {
                        Cell::Hidden
                    } else {
                        Cell::Percent(100.0 * on_time as f64 / decided as f64)
                    }
                })
                .collect();
            Row {
                pack: key.0.clone(),
                period: key.1.clone(),
                cells,
            }
        })
        .collect();
    Table {
        id: "steps_on_time".into(),
        title: "Share of steps with a deadline done on time, by role (percent)".into(),
        columns: roles.iter().map(|r| r.to_string()).collect(),
        rows,
    }
}

fn median(mut xs: Vec<i64>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_unstable();
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2] as f64
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) as f64 / 2.0
    })
}

fn milestone_table(
    keys: &[GroupKey],
    groups: &BTreeMap<GroupKey, Vec<&StatsCase>>,
    k: u64,
    hidden_groups: &BTreeSet<usize>,
) -> Table {
    type Pick = fn(&Milestones) -> Option<DateTime<Utc>>;
    let milestones: [(&str, Pick); 3] = [
        ("forensic_interview", |m| m.forensic_interview),
        ("medical_examination", |m| m.medical_examination),
        ("therapy_start", |m| m.therapy_start),
    ];
    let mut columns = Vec::new();
    for (name, _) in &milestones {
        columns.push(format!("{name}_cases"));
        columns.push(format!("{name}_median_days"));
    }
    let rows = keys
        .iter()
        .enumerate()
        .map(|(g, key)| {
            let cases = groups.get(key).map(Vec::as_slice).unwrap_or(&[]);
            let mut cells = Vec::new();
            for (_, pick) in &milestones {
                let days: Vec<i64> = cases
                    .iter()
                    .filter_map(|c| pick(&c.milestones).map(|t| (t - c.opened_at).num_days()))
                    .collect();
                let n = days.len() as u64;
                if n == 0 {
                    cells.push(Cell::Count(0));
                    cells.push(Cell::Empty);
                } else if n < k {
                    cells.push(Cell::Suppressed { k });
                    cells.push(Cell::Suppressed { k });
                } else if hidden_groups.contains(&g) {
                    cells.push(Cell::Hidden);
                    cells.push(Cell::Hidden);
                } else {
                    cells.push(Cell::Count(n));
                    cells.push(median(days).map_or(Cell::Empty, Cell::Days));
                }
            }
            Row {
                pack: key.0.clone(),
                period: key.1.clone(),
                cells,
            }
        })
        .collect();
    Table {
        id: "days_to_milestones".into(),
        title: "Cases reaching each milestone and median days from opening".into(),
        columns,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(cells: Vec<Vec<u64>>, additive_rows: bool) -> CountMatrix {
        let row_totals = cells.iter().map(|r| r.iter().sum()).collect();
        CountMatrix {
            columns: (0..cells[0].len()).map(|j| format!("c{j}")).collect(),
            cells,
            row_totals,
            additive_rows,
        }
    }

    #[test]
    fn pack_facts_become_category_labels() {
        use crate::pack::FactValue;
        let mut facts = crate::pack::Facts::new();
        facts.insert("online_element".into(), FactValue::Bool(true));
        facts.insert("age_band".into(), FactValue::Choice("12-17".into()));
        facts.insert(
            "abuse_types".into(),
            FactValue::Multi(vec!["grooming".into(), "contact".into()]),
        );
        facts.insert("hours_since_contact_abuse".into(), FactValue::Number(30.0));
        let labels = categorical_facts(&facts);
        assert_eq!(labels["online_element"], vec!["yes"]);
        assert_eq!(labels["age_band"], vec!["12-17"]);
        assert_eq!(labels["abuse_types"], vec!["grooming", "contact"]);
        assert!(!labels.contains_key("hours_since_contact_abuse"));
    }

    #[test]
    fn rref_finds_pivots() {
        let mut a = vec![vec![1.0, 1.0], vec![1.0, 1.0]];
        assert_eq!(rref(&mut a), vec![0]);
        let mut b = vec![vec![1.0, 0.0], vec![1.0, 1.0]];
        assert_eq!(rref(&mut b), vec![0, 1]);
    }

    #[test]
    fn determined_cells_follow_from_equation_combinations() {
        // x0 + x1 = a, x1 = b (a column where only x1 is unknown): both determined.
        let eqs = vec![vec![(0, 1.0), (1, 1.0)], vec![(1, 1.0), (2, -1.0)]];
        assert_eq!(determined(&eqs, &[0, 1]), vec![0, 1]);
        // x0 + x1 = a alone: neither.
        assert_eq!(determined(&eqs[..1], &[0, 1]), Vec::<usize>::new());
    }

    #[test]
    fn bounds_pin_cells_a_reader_could_work_out() {
        // 2 + 10 = 12 with the 10 hidden (so at least 3) and the 2 as `<3` (0 to 2):
        // the hidden cell is 10 to 12, the small one 0 to 2: nothing pinned.
        let eqs = vec![vec![(0, 1.0), (1, 1.0), (2, -1.0)]];
        let sup = [true, true, false];
        assert_eq!(pinned_by_bounds(&eqs, &sup, &[2, 10, 12], 3), vec![]);
        // 2 + 3 = 5: the hidden cell is 3 to 5, the small one 0 to 2: nothing pinned.
        assert_eq!(pinned_by_bounds(&eqs, &sup, &[2, 3, 5], 3), vec![]);
        // 0 + 3 = 3: a hidden cell is at least 3, so it is 3 and the other 0.
        assert_eq!(
            pinned_by_bounds(&eqs, &sup, &[0, 3, 3], 3),
            vec![(0, 0), (1, 0)]
        );
    }

    #[test]
    fn a_lone_small_cell_gets_a_complement_in_its_row_and_column() {
        // 2 is below k = 5: suppressing it alone would let row and column totals give
        // it back, so a rectangle of four cells ends up suppressed.
        let m = matrix(
            vec![vec![2, 10, 20], vec![8, 12, 30], vec![9, 15, 40]],
            true,
        );
        let mask = suppress(&m, 5, &BTreeSet::new());
        assert_eq!(
            mask.cells,
            vec![
                vec![true, true, false],
                vec![true, true, false],
                vec![false, false, false]
            ]
        );
        assert!(!mask.row_totals.iter().any(|&s| s));
    }

    #[test]
    fn nothing_is_suppressed_when_every_count_reaches_k() {
        let m = matrix(vec![vec![5, 6], vec![7, 0]], true);
        let mask = suppress(&m, 5, &BTreeSet::new());
        assert!(mask.cells.iter().flatten().all(|s| !s));
    }
}
