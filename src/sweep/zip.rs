//! The `zip` design: the parameters' lists advanced together, point i taking the i-th value of
//! each (lists of equal length, checked when the `[sweep]` table is read).

use toml::Value;

/// Lists of equal length read in step.
#[derive(Debug, Clone, PartialEq)]
pub struct Zip {
    lists: Vec<Vec<Value>>,
}

impl Zip {
    /// Lists of equal length, one per parameter; `None` if their lengths differ.
    pub fn new(lists: Vec<Vec<Value>>) -> Option<Zip> {
        let n = lists.first().map_or(0, Vec::len);
        lists.iter().all(|l| l.len() == n).then_some(Zip { lists })
    }

    /// Number of points: the lists' common length.
    pub fn points(&self) -> usize {
        self.lists.first().map_or(0, Vec::len)
    }

    /// The i-th value of each list.
    pub fn values(&self, point: usize) -> Vec<Value> {
        self.lists.iter().map(|l| l[point].clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_advance_together() {
        let z = Zip::new(vec![vec![Value::Integer(1), Value::Integer(2)], vec![Value::Float(0.5), Value::Float(0.7)]])
            .unwrap();
        assert_eq!(z.points(), 2);
        assert_eq!(z.values(1), vec![Value::Integer(2), Value::Float(0.7)]);
        assert!(Zip::new(vec![vec![Value::Integer(1)], vec![]]).is_none());
    }
}
