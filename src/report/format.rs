//! Numbers as a reader wants them: shares in percent, shifts in percentage points, counts in
//! thousands or millions, each with its 95% interval when there is one.

use super::results::Estimate;

/// `x` with `decimals` decimals and a comma between thousands.
pub(crate) fn fixed(x: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, x.abs());
    let (whole, fraction) = text.split_once('.').map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// `x` with an explicit sign, for shifts.
pub(crate) fn signed(x: f64, decimals: usize) -> String {
    let text = fixed(x, decimals);
    if text.starts_with('-') || text.trim_start_matches(['0', '.', ',']).is_empty() { text } else { format!("+{text}") }
}

/// An estimate scaled by `scale`: `mean [low, high]`, or the mean alone without an interval.
pub(crate) fn with_interval(e: &Estimate, scale: f64, decimals: usize) -> String {
    let mean = fixed(e.mean * scale, decimals);
    match (e.low, e.high) {
        (Some(lo), Some(hi)) => format!("{mean} [{}, {}]", fixed(lo * scale, decimals), fixed(hi * scale, decimals)),
        _ => mean,
    }
}

/// A count in compact form: `598`, `1.6 k`, `82.0 M`, `4.30 bn`.
pub(crate) fn compact(x: f64) -> String {
    let a = x.abs();
    if a >= 1e9 {
        format!("{} bn", fixed(x / 1e9, 2))
    } else if a >= 1e6 {
        format!("{} M", fixed(x / 1e6, 1))
    } else if a >= 1e3 {
        format!("{} k", fixed(x / 1e3, 1))
    } else {
        fixed(x, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands_and_keeps_signs() {
        assert_eq!(fixed(1234567.891, 2), "1,234,567.89");
        assert_eq!(fixed(-0.004, 2), "0.00");
        assert_eq!(fixed(-12.5, 1), "-12.5");
        assert_eq!(signed(1.613, 3), "+1.613");
        assert_eq!(signed(-0.35, 2), "-0.35");
        assert_eq!(signed(0.0, 2), "0.00");
    }

    #[test]
    fn intervals_and_compact_counts() {
        let e = Estimate { mean: 0.1234, low: Some(0.12), high: Some(0.13) };
        assert_eq!(with_interval(&e, 100.0, 2), "12.34 [12.00, 13.00]");
        assert_eq!(with_interval(&Estimate { low: None, ..e }, 100.0, 1), "12.3");
        assert_eq!(compact(598.0), "598");
        assert_eq!(compact(1595.0), "1.6 k");
        assert_eq!(compact(81_980_009.0), "82.0 M");
        assert_eq!(compact(4.297e9), "4.30 bn");
    }
}
