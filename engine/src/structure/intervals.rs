//! A set of byte ranges asked, for many ranges in turn, whether one of them
//! contains or overlaps the range asked about: in O(log n) a question, where
//! scanning the set for each made texts with many hits quadratic.

use std::ops::Range;

#[derive(Debug, Default)]
pub struct Intervals {
    /// Sorted by start.
    ranges: Vec<Range<usize>>,
    /// `max_end[i]`: the largest end among `ranges[..=i]`.
    max_end: Vec<usize>,
}

impl Intervals {
    pub fn new(ranges: impl IntoIterator<Item = Range<usize>>) -> Intervals {
        let mut ranges: Vec<Range<usize>> = ranges.into_iter().collect();
        ranges.sort_by_key(|r| r.start);
        let max_end = ranges
            .iter()
            .scan(0, |m, r| {
                *m = (*m).max(r.end);
                Some(*m)
            })
            .collect();
        Intervals { ranges, max_end }
    }

    /// The largest end among the first `n` ranges (by start).
    fn max_end_of_first(&self, n: usize) -> Option<usize> {
        n.checked_sub(1).map(|i| self.max_end[i])
    }

    /// Whether one range holds all of `r`.
    pub fn contains(&self, r: &Range<usize>) -> bool {
        let n = self.ranges.partition_point(|x| x.start <= r.start);
        self.max_end_of_first(n).is_some_and(|end| end >= r.end)
    }

    /// Whether one range shares a byte with `r`.
    pub fn overlaps(&self, r: &Range<usize>) -> bool {
        let n = self.ranges.partition_point(|x| x.start < r.end);
        self.max_end_of_first(n).is_some_and(|end| end > r.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answers of the obvious scan, for every small range against sets
    /// with nested, overlapping, touching and empty ranges.
    #[test]
    fn answers_as_a_scan_of_every_range_would() {
        let sets: Vec<Vec<Range<usize>>> = vec![
            vec![],
            vec![3..5],
            vec![0..10, 2..3, 4..6],
            vec![5..6, 1..2, 2..4, 8..8],
            vec![1..9, 3..12, 12..14],
        ];
        for set in sets {
            let iv = Intervals::new(set.clone());
            for start in 0..15 {
                for end in start..16 {
                    let r = start..end;
                    let contains = set.iter().any(|t| t.start <= r.start && r.end <= t.end);
                    let overlaps = set.iter().any(|t| t.start < r.end && r.start < t.end);
                    assert_eq!(iv.contains(&r), contains, "{set:?} contains {r:?}");
                    assert_eq!(iv.overlaps(&r), overlaps, "{set:?} overlaps {r:?}");
                }
            }
        }
    }
}
