//! Dates as reports write them: 2020年1月31日, 2020-01-31, 二〇二〇年一月二十日.

use std::sync::LazyLock;

use regex::Regex;

use super::numerals::{heading_value, year_value};
use crate::model::Date;

static ARABIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?")
        .expect("valid regex")
});
static CHINESE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([〇零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,2})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")
        .expect("valid regex")
});

/// A date mentioned in text, possibly not a real one (2月30日): `valid` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateMention {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    /// Byte range within the searched text.
    pub range: std::ops::Range<usize>,
}

impl DateMention {
    pub fn date(&self) -> Option<Date> {
        is_real(self.year, self.month, self.day).then_some(Date {
            year: self.year,
            month: self.month,
            day: self.day,
        })
    }
}

pub fn is_real(year: i32, month: u32, day: u32) -> bool {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// Every full date in `text`, in order.
pub fn find_dates(text: &str) -> Vec<DateMention> {
    let mut out: Vec<DateMention> = ARABIC
        .captures_iter(text)
        .filter_map(|c| {
            Some(DateMention {
                year: c[1].parse().ok()?,
                month: c[2].parse().ok()?,
                day: c[3].parse().ok()?,
                range: c.get(0)?.range(),
            })
        })
        .collect();
    out.extend(CHINESE.captures_iter(text).filter_map(|c| {
        Some(DateMention {
            year: year_value(&c[1])?,
            month: heading_value(&c[2])?,
            day: heading_value(&c[3])?,
            range: c.get(0)?.range(),
        })
    }));
    out.sort_by_key(|d| d.range.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_arabic_and_chinese_dates() {
        let found =
            find_dates("时间:2020年01月31日 发布 2022-02-08 16:34，落款二〇二一年一月二十日");
        let ymd: Vec<(i32, u32, u32)> = found.iter().map(|d| (d.year, d.month, d.day)).collect();
        assert_eq!(ymd, vec![(2020, 1, 31), (2022, 2, 8), (2021, 1, 20)]);
        assert!(find_dates("2019年2月30日")[0].date().is_none());
        assert!(is_real(2020, 2, 29) && !is_real(2019, 2, 29));
    }
}
