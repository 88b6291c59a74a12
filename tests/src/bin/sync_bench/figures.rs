//! The figures one run produces: printed as they are measured, kept for the closing
//! table that puts the backends side by side. Holds formatting and percentiles; measures
//! nothing itself.

use std::time::Duration;

/// What one figure is held to, and whether this run met it.
#[derive(Debug, Clone)]
pub struct Goal {
    pub text: &'static str,
    pub met: bool,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub figure: String,
    pub value: String,
    pub goal: Option<Goal>,
}

/// The figures of one backend, in the order they were measured.
#[derive(Debug, Default)]
pub struct Figures {
    pub rows: Vec<Row>,
    /// Things that went wrong without stopping the run (a short pull, a refused push).
    pub failures: Vec<String>,
}

impl Figures {
    /// A figure with no goal.
    pub fn add(&mut self, figure: impl Into<String>, value: impl Into<String>) {
        self.push(Row { figure: figure.into(), value: value.into(), goal: None });
    }

    /// A figure held to `goal`.
    pub fn check(&mut self, figure: impl Into<String>, value: impl Into<String>, goal: &'static str, met: bool) {
        self.push(Row { figure: figure.into(), value: value.into(), goal: Some(Goal { text: goal, met }) });
    }

    pub fn fail(&mut self, what: impl Into<String>) {
        let what = what.into();
        println!("  FAILED: {what}");
        self.failures.push(what);
    }

    fn push(&mut self, row: Row) {
        let verdict = match &row.goal {
            Some(g) => format!("   [goal {}: {}]", g.text, if g.met { "met" } else { "MISSED" }),
            None => String::new(),
        };
        println!("  {:<46} {}{verdict}", row.figure, row.value);
        self.rows.push(row);
    }
}

/// A Markdown table with one value column per backend, rows in the order first seen.
pub fn side_by_side(runs: &[(&str, Figures)]) -> String {
    let mut figures: Vec<(&str, Option<&'static str>)> = Vec::new();
    for (_, f) in runs {
        for row in &f.rows {
            if !figures.iter().any(|(name, _)| *name == row.figure) {
                figures.push((&row.figure, row.goal.as_ref().map(|g| g.text)));
            }
        }
    }
    let names: Vec<&str> = runs.iter().map(|(name, _)| *name).collect();
    let mut out = format!("| Figure | Goal | {} |\n|---|---|{}\n", names.join(" | "), "---|".repeat(names.len()));
    for (figure, goal) in figures {
        let cells: Vec<String> = runs.iter().map(|(_, f)| cell(f, figure)).collect();
        out += &format!("| {figure} | {} | {} |\n", goal.unwrap_or(""), cells.join(" | "));
    }
    out
}

fn cell(figures: &Figures, figure: &str) -> String {
    match figures.rows.iter().find(|r| r.figure == figure) {
        None => "—".to_owned(),
        Some(Row { value, goal: Some(g), .. }) => format!("{value} {}", if g.met { "✅" } else { "❌" }),
        Some(Row { value, .. }) => value.clone(),
    }
}

/// The `q` quantile (0..=1) of `sorted` by the nearest-rank method.
pub fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// "586 µs", "2.50 ms", "137.6 ms".
pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    match ms {
        ..1.0 => format!("{:.0} µs", ms * 1e3),
        ..10.0 => format!("{ms:.2} ms"),
        _ => format!("{ms:.1} ms"),
    }
}

pub fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Decimal units (1 kB = 1000 B), as the goals are written.
pub fn bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        _ => format!("{:.2} MB", n as f64 / 1e6),
    }
}

/// `n` events in `took`, per second, rounded: "1,067".
pub fn per_sec(n: u64, took: Duration) -> String {
    count((n as f64 / took.as_secs_f64()).round() as u64)
}

/// "12,345": thousands separated, for counts and rates.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
