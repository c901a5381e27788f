//! The `grid` design: every combination of the parameters' values, the last parameter varying
//! fastest (as nested loops in declaration order).

use toml::Value;

/// A full factorial design.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    axes: Vec<Vec<Value>>,
    points: usize,
}

impl Grid {
    /// A grid over `axes` (one non-empty list of values per parameter); `None` when it would
    /// have more than [`super::MAX_POINTS`] points.
    pub fn new(axes: Vec<Vec<Value>>) -> Option<Grid> {
        let mut points: u64 = 1;
        for axis in &axes {
            points = points.checked_mul(axis.len() as u64).filter(|&p| p <= super::MAX_POINTS)?;
        }
        Some(Grid { axes, points: usize::try_from(points).ok()? })
    }

    /// Number of points: the product of the axes' lengths.
    pub fn points(&self) -> usize {
        self.points
    }

    /// The values at `point`, read as a mixed-radix number whose last digit is the last axis.
    pub fn values(&self, point: usize) -> Vec<Value> {
        let mut rest = point;
        let mut out: Vec<Value> = self
            .axes
            .iter()
            .rev()
            .map(|axis| {
                let v = axis[rest % axis.len()].clone();
                rest /= axis.len();
                v
            })
            .collect();
        out.reverse();
        out
    }
}

/// `steps` evenly spaced values from `from` to `to`, both included (`steps` ≥ 2). Integer ends
/// whose difference divides evenly give integers; otherwise floats, rounded to 12 significant
/// digits so that `from = 1.1, to = 1.25, steps = 4` gives 1.15 and not 1.1500000000000001.
pub fn linspace(from: &Value, to: &Value, steps: u32) -> Vec<Value> {
    let last = i128::from(steps.max(2) - 1);
    if let (Value::Integer(a), Value::Integer(b)) = (from, to) {
        let span = i128::from(*b) - i128::from(*a);
        if span % last == 0 {
            return (0..=last).map(|k| Value::Integer((i128::from(*a) + span / last * k) as i64)).collect();
        }
    }
    let (a, b) = (number(from), number(to));
    (0..=last)
        .map(|k| match k {
            0 => Value::Float(a),
            k if k == last => Value::Float(b),
            k => Value::Float(significant(a + (b - a) * k as f64 / last as f64)),
        })
        .collect()
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}

/// `x` rounded to 12 significant digits.
fn significant(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(v: &[i64]) -> Vec<Value> {
        v.iter().map(|&i| Value::Integer(i)).collect()
    }

    #[test]
    fn last_axis_varies_fastest() {
        let g = Grid::new(vec![ints(&[1, 2]), ints(&[10, 20, 30])]).unwrap();
        assert_eq!(g.points(), 6);
        let all: Vec<Vec<Value>> = (0..6).map(|p| g.values(p)).collect();
        assert_eq!(all[0], ints(&[1, 10]));
        assert_eq!(all[2], ints(&[1, 30]));
        assert_eq!(all[3], ints(&[2, 10]));
        assert_eq!(all[5], ints(&[2, 30]));
    }

    #[test]
    fn too_many_points_are_refused() {
        let axis = ints(&(0..1000).collect::<Vec<_>>());
        assert!(Grid::new(vec![axis.clone(); 4]).is_none());
        assert!(Grid::new(vec![axis; 3]).is_some());
    }

    #[test]
    fn linspace_keeps_integers_and_tidies_floats() {
        assert_eq!(linspace(&Value::Integer(2), &Value::Integer(8), 4), ints(&[2, 4, 6, 8]));
        assert_eq!(linspace(&Value::Integer(5), &Value::Integer(2), 4), ints(&[5, 4, 3, 2]));
        let floats = linspace(&Value::Float(1.1), &Value::Float(1.25), 4);
        assert_eq!(floats, [1.1, 1.15, 1.2, 1.25].map(Value::Float));
        assert_eq!(linspace(&Value::Integer(0), &Value::Integer(1), 3), [0.0, 0.5, 1.0].map(Value::Float));
    }
}
