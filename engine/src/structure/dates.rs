//! Dates as reports write them: 2020年1月31日, 2020-01-31, 二〇二〇年一月二十日.

use std::sync::LazyLock;

use regex::Regex;

use super::intervals::Intervals;
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
    days_in_month(Some(year), month).is_some_and(|days| (1..=days).contains(&day))
}

/// How many days `month` has (`None` for no such month). Without a year,
/// February has 29.
pub fn days_in_month(year: Option<i32>, month: u32) -> Option<u32> {
    let leap = year.is_none_or(|y| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if leap => Some(29),
        2 => Some(28),
        _ => None,
    }
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

static YEAR_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)[0-9]{2})\s*年\s*([0-9]{1,2})\s*月").expect("valid regex")
});
/// A day of a month, in digits or in Chinese numerals: two patterns, as one
/// alternation of both scans many times slower (一, 二 … are everywhere).
static MONTH_DAY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日").expect("valid regex"));
static MONTH_DAY_CN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([一二三四五六七八九十]{1,2})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")
        .expect("valid regex")
});

/// A date mention that cannot exist: a full date (`2019年2月30日`), a month
/// of a year (`2020年13月`) or a day of a month with no year (`2月30日`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpossibleDate {
    pub year: Option<i32>,
    pub month: u32,
    pub day: Option<u32>,
    /// Byte range within the searched text.
    pub range: std::ops::Range<usize>,
}

/// Every date mention in `text` that names no real day or month, in order.
/// Digits must be half-width (fold the text first).
pub fn find_impossible_dates(text: &str) -> Vec<ImpossibleDate> {
    find_impossible_dates_among(text, &find_dates(text))
}

/// [`find_impossible_dates`], given the text's [`find_dates`] already made.
pub fn find_impossible_dates_among(text: &str, full: &[DateMention]) -> Vec<ImpossibleDate> {
    let full_dates = Intervals::new(full.iter().map(|d| d.range.clone()));
    let covered = |r: &std::ops::Range<usize>| full_dates.overlaps(r);
    let after_digit = |start: usize| {
        text[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit())
    };
    let mut out: Vec<ImpossibleDate> = full
        .iter()
        .filter(|d| d.date().is_none())
        .map(|d| ImpossibleDate {
            year: Some(d.year),
            month: d.month,
            day: Some(d.day),
            range: d.range.clone(),
        })
        .collect();
    for c in YEAR_MONTH.captures_iter(text) {
        let m = c.get(0).expect("group 0");
        let (Ok(year), Ok(month)) = (c[1].parse::<i32>(), c[2].parse::<u32>()) else {
            continue;
        };
        if covered(&m.range()) || after_digit(m.start()) || (1..=12).contains(&month) {
            continue;
        }
        out.push(ImpossibleDate {
            year: Some(year),
            month,
            day: None,
            range: m.range(),
        });
    }
    // The two never overlap (digits and numerals are different characters).
    let digits = MONTH_DAY.captures_iter(text).map(|c| (c, false));
    let numerals = MONTH_DAY_CN.captures_iter(text).map(|c| (c, true));
    for (c, chinese) in digits.chain(numerals) {
        let m = c.get(0).expect("group 0");
        let (mo, d) = (&c[1], &c[2]);
        let parsed = if chinese {
            heading_value(mo).zip(heading_value(d))
        } else {
            mo.parse().ok().zip(d.parse().ok())
        };
        let Some((month, day)) = parsed else { continue };
        if covered(&m.range()) || after_digit(m.start()) {
            continue;
        }
        if days_in_month(None, month).is_some_and(|days| (1..=days).contains(&day)) {
            continue;
        }
        out.push(ImpossibleDate {
            year: None,
            month,
            day: Some(day),
            range: m.range(),
        });
    }
    out.sort_by_key(|d| d.range.start);
    out
}

/// Compiles this module's patterns now (see [`crate::warm_up`]).
pub(crate) fn warm() {
    LazyLock::force(&ARABIC);
    LazyLock::force(&CHINESE);
    LazyLock::force(&YEAR_MONTH);
    LazyLock::force(&MONTH_DAY);
    LazyLock::force(&MONTH_DAY_CN);
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

    #[test]
    fn finds_impossible_dates() {
        let text = "2019年2月29日、2020年2月29日、2020年13月、2月30日、4月31日、2月29日、二〇二〇年十三月一日、1-12月、2019年11月";
        let found: Vec<(Option<i32>, u32, Option<u32>)> = find_impossible_dates(text)
            .iter()
            .map(|d| (d.year, d.month, d.day))
            .collect();
        assert_eq!(
            found,
            vec![
                (Some(2019), 2, Some(29)),
                (Some(2020), 13, None),
                (None, 2, Some(30)),
                (None, 4, Some(31)),
                (Some(2020), 13, Some(1)),
            ]
        );
    }
}
