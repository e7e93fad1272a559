//! Chinese numerals as used in headings (一 … 九十九) and dates (二〇二〇).

/// The value of a heading numeral such as `十一`, or `None`.
pub fn heading_value(s: &str) -> Option<u32> {
    let digit = |c: char| "〇一二三四五六七八九".find(c).map(|i| (i / 3) as u32);
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c).filter(|&d| d > 0),
        ['十', u] => digit(*u).filter(|&d| d > 0).map(|d| 10 + d),
        [t, '十'] => digit(*t).filter(|&d| d > 1).map(|d| d * 10),
        [t, '十', u] => Some(digit(*t).filter(|&d| d > 1)? * 10 + digit(*u).filter(|&d| d > 0)?),
        _ => None,
    }
}

/// The numeral for a heading value (1 → 一, 11 → 十一).
pub fn heading_numeral(n: u32) -> String {
    const D: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => D[n as usize].to_owned(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", D[(n - 10) as usize]),
        20..=99 if n.is_multiple_of(10) => format!("{}十", D[(n / 10) as usize]),
        20..=99 => format!("{}十{}", D[(n / 10) as usize], D[(n % 10) as usize]),
        _ => n.to_string(),
    }
}

/// A year written digit by digit in Chinese numerals (`二〇二〇`).
pub fn year_value(s: &str) -> Option<i32> {
    let mut v = 0i32;
    let mut n = 0;
    for c in s.chars() {
        let d = "〇一二三四五六七八九"
            .find(c)
            .map(|i| (i / 3) as i32)
            .or(if c == '零' { Some(0) } else { None })?;
        v = v * 10 + d;
        n += 1;
    }
    (n == 4).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals_round_trip() {
        for n in 1..=40 {
            assert_eq!(heading_value(&heading_numeral(n)), Some(n), "{n}");
        }
        assert_eq!(heading_value("十十"), None);
        assert_eq!(year_value("二〇二〇"), Some(2020));
        assert_eq!(year_value("二零一九"), Some(2019));
    }
}
