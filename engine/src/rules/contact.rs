//! `contact`: the contact block (地址、邮编、电话、电子邮箱、网址; domain.md
//! §3.4 and §5.4). `presence` reports a missing item, `form` a malformed one.
//! The text is read with full-width digits and punctuation folded.

use std::sync::{Arc, LazyLock, OnceLock};

use regex::Regex;

use super::{Check, Compile, Context, Findings, RuleMeta};
use crate::pack::PackError;
use crate::structure::intervals::Intervals;

pub const PLACEHOLDERS: &[&str] = &["项目", "号码", "说明"];

type Range = std::ops::Range<usize>;

/// A phone label and what follows it up to the number: 联系电话：, 电话传真 , 查询电话(.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:电话|热线|传真|手机|座机)(?:号码)?(?:[/、和及或]?(?:电话|传真))?(?:号码)?",
        r"\s*(?::|为|是)?\s*(?:\(\s*)??",
        r"(\(\s*0[0-9]{2,3}\s*\)\s*[0-9]+(?:-[0-9]+)?",
        r"|0[0-9]{2,3}[-—– ]?[0-9]+(?:[-—–][0-9]+)*",
        r"|[0-9]+(?:[-—–][0-9]+)*)",
    ))
    .expect("valid regex")
});
/// Phone numbers that stand without a label.
static PHONE_BARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\(0[0-9]{2,3}\)\s*[0-9]{7,8}|0[0-9]{2,3}-[0-9]{7,8}|1[3-9][0-9]{9}")
        .expect("valid regex")
});
static FIXED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:0[0-9]{2,3}-?[0-9]{7,8}|\(0[0-9]{2,3}\)[0-9]{7,8})(?:-[0-9]{1,5})?$")
        .expect("valid regex")
});
static MOBILE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^1[3-9][0-9]{9}$").expect("valid regex"));
/// 12345-style government service lines, 400/800 numbers.
static SERVICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:0[0-9]{2,3}-?)?1[0-9]{4}|[48]00-?[0-9]{3}-?[0-9]{4})$")
        .expect("valid regex")
});
static LOCAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[1-9][0-9]{6,7}(?:-[0-9]{1,5})?$").expect("valid regex"));

static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:邮编|邮政编码)\s*(?:(:)|为|是)?\s*([0-9]*)").expect("valid regex")
});
static ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:地址|住址|地点)\s*(?::|为|是|在|位于)").expect("valid regex"));
/// An e-mail label and the ASCII token after it (which may lack an @).
static EMAIL_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:电子邮箱|电子信箱|电子邮件|邮箱|信箱|电邮|e-?mail)(?:地址)?\s*(?::|为|是)\s*([A-Za-z0-9._%+@#-]+)")
        .expect("valid regex")
});
static EMAIL_LOOSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.@-]+").expect("valid regex"));
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
        .expect("valid regex")
});
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:https?://)?([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?::[0-9]+)?(?:/[A-Za-z0-9._~%/?#=&+-]*)?")
        .expect("valid regex")
});
/// One Han character: what a Chinese domain's label has besides `A-Za-z0-9-`.
static HAN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\p{Han}$").expect("valid regex"));

/// The top-level domains a web address in a report ends with.
const TLDS: &[&str] = &[
    "cn", "com", "net", "org", "gov", "cc", "info", "top", "xyz", "io", "site", "vip", "mobi",
    "edu", "biz", "tv",
];
/// Words before an address that present it as a web site.
const SITE_WORDS: &[&str] = &[
    "网站",
    "网址",
    "门户",
    "官网",
    "主页",
    "网页",
    "政府网",
    "信息网",
    "公开网",
    "专栏",
    "网上",
];
/// Words before an address that present it as a third-party platform.
const PLATFORM_WORDS: &[&str] = &[
    "微博",
    "微信",
    "公众号",
    "抖音",
    "头条",
    "客户端",
    "APP",
    "App",
    "app",
    "小程序",
];
/// How far back (characters) the words presenting a web address are looked for.
const SITE_CONTEXT: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Address,
    Postcode,
    Phone,
    Email,
    Website,
    Any,
}

impl Item {
    fn name(self) -> &'static str {
        match self {
            Item::Address => "地址",
            Item::Postcode => "邮政编码",
            Item::Phone => "联系电话",
            Item::Email => "电子邮箱",
            Item::Website => "网址",
            Item::Any => "联系方式",
        }
    }
}

#[derive(Debug)]
struct Contact {
    form: bool,
    item: Item,
}

pub fn compile(cx: &Compile) -> Result<Arc<dyn Check>, PackError> {
    let form = cx.choose(
        &cx.def.check,
        "check",
        &[("presence", false), ("form", true)],
    )?;
    let it = cx.choose(
        &cx.def.item,
        "item",
        &[
            ("address", Item::Address),
            ("postcode", Item::Postcode),
            ("phone", Item::Phone),
            ("email", Item::Email),
            ("website", Item::Website),
            ("any", Item::Any),
        ],
    )?;
    let item = cx.need(&cx.def.item, "item")?;
    if form && matches!(it, Item::Address | Item::Any) {
        return Err(cx.err(
            item,
            format!(
                "check: form 只能检查 postcode、phone、email 或 website 的写法，不能检查 `{}`",
                item.value
            ),
        ));
    }
    Ok(Arc::new(Contact { form, item: it }))
}

/// One contact detail found in the folded text.
#[derive(Debug, Clone)]
struct Found {
    /// Folded range of the value (or of the label, when the value is missing).
    range: Range,
    /// Why its form is wrong, if it is.
    problem: Option<String>,
}

fn ends_with_any(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.ends_with(w))
}

fn before(text: &str, at: usize, chars: usize) -> &str {
    let start = text[..at]
        .char_indices()
        .rev()
        .nth(chars.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    &text[start..at]
}

fn phone_problem(token: &str) -> Option<String> {
    let t: String = token
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if matches!(c, '—' | '–') { '-' } else { c })
        .collect();
    if FIXED.is_match(&t) || MOBILE.is_match(&t) || SERVICE.is_match(&t) {
        None
    } else if LOCAL.is_match(&t) {
        Some("缺少区号：固定电话应写成“区号-号码”，如 0954-2088829".to_owned())
    } else {
        Some("位数或格式不对：固定电话为“0+2～3位区号-7～8位号码”，手机为11位".to_owned())
    }
}

fn phones(text: &str) -> Vec<Found> {
    let mut out: Vec<Found> = PHONE
        .captures_iter(text)
        .map(|c| {
            let m = c.get(1).expect("group 1");
            // A run of digits that goes on into a year or a count is no phone number.
            Found {
                range: m.range(),
                problem: phone_problem(m.as_str()),
            }
        })
        .filter(|f| {
            let after = &text[f.range.end..];
            let digits = text[f.range.clone()]
                .chars()
                .filter(char::is_ascii_digit)
                .count();
            digits >= 5 && !after.starts_with(['年', '件', '次', '条', '个', '人'])
        })
        .collect();
    // Bare numbers never overlap each other: only the labelled ones matter.
    let labelled = Intervals::new(out.iter().map(|f| f.range.clone()));
    for m in PHONE_BARE.find_iter(text) {
        let digit_around = text[..m.start()]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit() || c == '-')
            || text[m.end()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit());
        if !digit_around && !labelled.overlaps(&m.range()) {
            out.push(Found {
                range: m.range(),
                problem: None,
            });
        }
    }
    out.sort_by_key(|f| f.range.start);
    out
}

fn postcodes(text: &str) -> Vec<Found> {
    POSTCODE
        .captures_iter(text)
        .filter_map(|c| {
            let digits = c.get(2).expect("group 2");
            if digits.is_empty() {
                // 邮编： with nothing after it is an unfilled template.
                return c.get(1).map(|_| Found {
                    range: c.get(0).expect("group 0").range(),
                    problem: Some("没有填写邮政编码".to_owned()),
                });
            }
            let n = digits.as_str().len();
            Some(Found {
                range: digits.range(),
                problem: (n != 6).then(|| format!("邮政编码应为6位数字，这里是{n}位")),
            })
        })
        .collect()
}

fn addresses(text: &str) -> Vec<Found> {
    ADDRESS
        .find_iter(text)
        .filter(|m| {
            !ends_with_any(
                &text[..m.start()],
                &[
                    "邮箱", "邮件", "信箱", "网站", "网页", "网络", "IP", "ip", "网",
                ],
            )
        })
        .map(|m| Found {
            range: m.range(),
            problem: None,
        })
        .collect()
}

fn emails(text: &str) -> Vec<Found> {
    let check = |token: &str| -> Option<String> {
        if !token.contains('@') {
            Some("缺少“@”".to_owned())
        } else if !EMAIL.is_match(token) {
            Some("不是有效的电子邮箱地址".to_owned())
        } else {
            None
        }
    };
    let trim = |r: Range| {
        let s = &text[r.clone()];
        let t = s.trim_end_matches(['.', '-']);
        r.start..r.start + t.len()
    };
    let mut out: Vec<Found> = Vec::new();
    for c in EMAIL_LABEL.captures_iter(text) {
        let r = trim(c.get(1).expect("group 1").range());
        // A label followed by a web address is not an e-mail field gone wrong.
        let token = &text[r.clone()];
        if !token.contains('@') && !token.contains('#') && looks_like_url(token) {
            continue;
        }
        out.push(Found {
            problem: check(token),
            range: r,
        });
    }
    // Loose finds never overlap each other: only the labelled ones matter.
    let labelled = Intervals::new(out.iter().map(|f| f.range.clone()));
    for m in EMAIL_LOOSE.find_iter(text) {
        let r = trim(m.range());
        if labelled.overlaps(&r) {
            continue;
        }
        out.push(Found {
            problem: check(&text[r.clone()]),
            range: r,
        });
    }
    out.sort_by_key(|f| f.range.start);
    out
}

fn looks_like_url(token: &str) -> bool {
    token.starts_with("www.") || token.starts_with("http")
}

fn is_gov_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "gov.cn" || host.ends_with(".gov.cn")
}

/// Web addresses: each with whether it is presented as the agency's site and
/// is no government domain.
fn websites(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    for c in URL.captures_iter(text) {
        let m = c.get(0).expect("group 0");
        let host = c.get(1).expect("group 1").as_str();
        let tld = host.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
        let joined = text[..m.start()]
            .chars()
            .next_back()
            .is_some_and(|ch| ch.is_ascii_alphanumeric() || "@._-".contains(ch));
        if joined
            || !TLDS.contains(&tld.as_str())
            || !host.chars().any(|ch| ch.is_ascii_alphabetic())
        {
            continue;
        }
        let mut r = m.range();
        let trimmed = text[r.clone()].trim_end_matches(['.', '/', '-']).len();
        r.end = r.start + trimmed;
        let context = before(text, m.start(), SITE_CONTEXT);
        let context = context
            .rsplit(['。', ';', '；', '\n', '!', '?'])
            .next()
            .unwrap_or("");
        let presented = SITE_WORDS.iter().any(|w| context.contains(w))
            && !PLATFORM_WORDS.iter().any(|w| context.contains(w));
        let problem = (presented && !is_gov_host(host))
            .then(|| "不是政府网站域名：政府网站应使用以“.gov.cn”或“.政务”结尾的域名".to_owned());
        out.push(Found { range: r, problem });
    }
    for m in zhengwu_domains(text) {
        // Not 3.政务公开 (a numbered item): the label has more than digits,
        // and the domain ends where the Chinese text does.
        let label = text[m.clone()].trim_end_matches(ZHENGWU);
        let ends = !text[m.end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric());
        if label.chars().all(|c| c.is_ascii_digit()) || !ends {
            continue;
        }
        out.push(Found {
            range: m,
            problem: None,
        });
    }
    out.sort_by_key(|f| f.range.start);
    out
}

/// The top-level name of Chinese government domains (平潭综合实验区.政务).
const ZHENGWU: &str = ".政务";

/// What `[\p{Han}A-Za-z0-9-]{1,30}\.政务` finds, leftmost and without
/// overlaps: each `.政务` with the label characters before it, at most 30,
/// none before the previous domain's end. Found by hand because that regex
/// compiles thirty copies of the Han class, a millisecond of every run.
fn zhengwu_domains(text: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let label =
        |c: char| c.is_ascii_alphanumeric() || c == '-' || HAN.is_match(c.encode_utf8(&mut [0; 4]));
    let mut done = 0;
    text.match_indices(ZHENGWU).filter_map(move |(at, _)| {
        let start = text[done..at]
            .char_indices()
            .rev()
            .take(30)
            .take_while(|&(_, c)| label(c))
            .last()
            .map(|(i, _)| done + i)?;
        done = at + ZHENGWU.len();
        Some(start..done)
    })
}

fn find(item: Item, text: &str) -> Vec<Found> {
    match item {
        Item::Address => addresses(text),
        Item::Postcode => postcodes(text),
        Item::Phone => phones(text),
        Item::Email => emails(text),
        Item::Website => websites(text),
        Item::Any => ITEMS.into_iter().flat_map(|i| find(i, text)).collect(),
    }
}

/// The items `any` stands for, in the order their finds are listed.
const ITEMS: [Item; 5] = [
    Item::Address,
    Item::Postcode,
    Item::Phone,
    Item::Email,
    Item::Website,
];

/// One report's finds per item, each made when a rule first asks: the
/// presence rule and the form rules read the same ones.
#[derive(Default)]
struct Finds([OnceLock<Vec<Found>>; 5]);

impl Finds {
    fn of(&self, item: Item, text: &str) -> &[Found] {
        let k = ITEMS.iter().position(|&i| i == item).expect("one of ITEMS");
        self.0[k].get_or_init(|| find(item, text))
    }
}

impl Check for Contact {
    fn run(&self, cx: &Context, rule: &RuleMeta, out: &mut Findings) {
        let folded = cx.folded();
        let finds = cx.memo.get(Finds::default);
        let items = match self.item {
            Item::Any => &ITEMS[..],
            _ => std::slice::from_ref(&self.item),
        };
        let mut found = items.iter().flat_map(|&i| finds.of(i, &folded.text));
        let name = self.item.name().to_owned();
        if !self.form {
            if found.next().is_none() {
                // Point at the title: the contact block usually follows it.
                let at = cx.report.title.as_ref().map_or(0..0, |t| t.span.clone());
                let values = [
                    ("项目", name),
                    ("号码", String::new()),
                    ("说明", format!("报告中没有{}", self.item.name())),
                ];
                out.push(rule.diag(at, &values));
            }
            return;
        }
        for f in found {
            if out.stopped() {
                break;
            }
            let Some(problem) = f.problem.clone() else {
                continue;
            };
            let span = folded.original(f.range.clone());
            let values = [
                ("项目", name.clone()),
                ("号码", cx.text()[span.clone()].to_owned()),
                ("说明", problem),
            ];
            out.push(rule.diag(span, &values));
        }
    }
}

/// Compiles this module's patterns now (see [`crate::warm_up`]).
pub(crate) fn warm() {
    LazyLock::force(&PHONE);
    LazyLock::force(&PHONE_BARE);
    LazyLock::force(&FIXED);
    LazyLock::force(&MOBILE);
    LazyLock::force(&SERVICE);
    LazyLock::force(&LOCAL);
    LazyLock::force(&POSTCODE);
    LazyLock::force(&ADDRESS);
    LazyLock::force(&EMAIL_LABEL);
    LazyLock::force(&EMAIL_LOOSE);
    LazyLock::force(&EMAIL);
    LazyLock::force(&URL);
    LazyLock::force(&HAN);
}

#[cfg(test)]
mod zhengwu_tests {
    use super::*;

    #[test]
    fn chinese_domains_are_found_as_the_regex_finds_them() {
        let regex = Regex::new(r"[\p{Han}A-Za-z0-9-]{1,30}\.政务").unwrap();
        // Label characters (Han, 〇 and 㐀 included), others, and the name itself.
        let alphabet = [
            "a", "Z", "7", "-", "政", "务", "〇", "㐀", ".", "。", " ", "é", "_", ".政务",
        ];
        let mut texts = vec![
            format!("{}.政务", "汉".repeat(40)),
            format!("{}.政务", "汉".repeat(30)),
            "。.政务务.政务".to_owned(),
            "平潭综合实验区.政务.政务".to_owned(),
            ".政务".to_owned(),
        ];
        // Runs of one label character make labels over 30 long.
        texts.extend(crate::rules::testing::random_texts(
            &alphabet,
            3000,
            70,
            12,
            0x9e37_79b9_7f4a_7c15,
        ));
        let mut found = 0;
        for t in &texts {
            let expected: Vec<_> = regex.find_iter(t).map(|m| m.range()).collect();
            found += expected.len();
            assert_eq!(zhengwu_domains(t).collect::<Vec<_>>(), expected, "{t:?}");
        }
        assert!(found > 1000, "{found} domains");
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Diagnostic;
    use crate::lint::Options;
    use crate::pack::{LoadError, PackInput, PackSet, PackSource, builtin_inputs, load};

    use crate::source::SourceFile;

    fn inputs(rules: &str) -> Vec<PackInput> {
        let mut v = builtin_inputs();
        v.push(PackInput {
            origin: "t".into(),
            files: vec![PackSource::yaml(
                "t.yaml",
                format!("pack: t\nrules:\n{rules}"),
            )],
            builtin: false,
        });
        v
    }

    fn rule(check: &str, item: &str) -> String {
        format!(
            "  - id: x\n    kind: contact\n    category: contact\n    severity: warning\n    message: \"{{项目}} {{号码}} {{说明}}\"\n    help: h\n    check: {check}\n    item: {item}\n"
        )
    }

    fn run_with(set: &PackSet, id: &str, text: &str) -> Vec<Diagnostic> {
        crate::rules::testing::run_only(set, id, text, Options::default())
    }

    /// The values a form rule flags, as written.
    fn flagged(item: &str, text: &str) -> Vec<String> {
        let set = load(&inputs(&rule("form", item))).unwrap();
        run_with(&set, "x", text)
            .iter()
            .map(|d| text[d.span.clone()].to_owned())
            .collect()
    }

    fn present(item: &str, text: &str) -> bool {
        let set = load(&inputs(&rule("presence", item))).unwrap();
        run_with(&set, "x", text).is_empty()
    }

    fn seed(prefix: &str) -> String {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/corpus/seeds"
        );
        let path = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .unwrap();
        SourceFile::decode("seed", std::fs::read(path).unwrap())
            .unwrap()
            .text
    }

    #[test]
    fn compile_errors_are_located() {
        let err = |rules: &str| match load(&inputs(rules)) {
            Err(LoadError::Pack(e)) => e,
            other => panic!("expected an error, got {other:?}"),
        };
        let e = err(&rule("form", "fax"));
        assert_eq!(e.line, 10, "{e}");
        assert!(e.message.contains("website"), "{e}");
        let e = err(&rule("form", "address"));
        assert_eq!(e.line, 10, "{e}");
        let e = err(&rule("exists", "phone"));
        assert_eq!(e.line, 9, "{e}");
        let e = err(&rule("presence", "phone").replace("    item: phone\n", ""));
        assert!(e.message.contains("item"), "{e}");
    }

    #[test]
    fn phone_forms() {
        let ok = "电话：0954-2088829；联系电话：（0533）3812333；电话：0533 3812333 2020年；热线：0591-12345；手机 13812345678；热线：12345；\
                  服务电话：400-123-4567；电话：010-88568888-6603；电话：０５７１－６３６６３６９９。\
                  从走访或电话沟通的情况看，电话咨询3次。";
        assert!(
            flagged("phone", ok).is_empty(),
            "{:?}",
            flagged("phone", ok)
        );
        assert_eq!(
            flagged(
                "phone",
                "开设了信息公开查询电话(2795167)，电话：２７９５１６８。"
            ),
            ["2795167", "２７９５１６８"]
        );
        assert_eq!(flagged("phone", "电话：0954-20888"), ["0954-20888"]);
        assert_eq!(flagged("phone", "手机：1381234567。"), ["1381234567"]);
        assert_eq!(flagged("phone", "电话：(0533)381233"), ["(0533)381233"]);
    }

    #[test]
    fn postcode_forms() {
        assert!(flagged("postcode", "邮编:255022;邮政编码：７５６０００").is_empty());
        assert_eq!(
            flagged("postcode", "邮编：25502，邮政编码为2550221，邮编：；"),
            ["25502", "2550221", "邮编："]
        );
    }

    #[test]
    fn email_forms() {
        assert!(flagged("email", "电子邮箱：xxgk@np.gov.cn，zfbdzzwc@163.com。").is_empty());
        assert_eq!(
            flagged("email", "邮箱：xxgk#163.com；电子邮件：a@b；联系 c@@d.cn。"),
            ["xxgk#163.com", "a@b", "c@@d.cn"]
        );
    }

    #[test]
    fn website_forms() {
        let ok = "本报告电子版可在平潭综合实验区门户网站（www.pingtan.gov.cn）查阅，\
                  或访问 http://www.zmd.gov.cn/col/123.html 与 平潭综合实验区.政务。\
                  政务微博 weibo.com/xxgk 与邮箱 xxgk@163.com，附件 report.pdf，占57.7%。";
        assert!(
            flagged("website", ok).is_empty(),
            "{:?}",
            flagged("website", ok)
        );
        assert_eq!(
            flagged(
                "website",
                "可在本局网站（www.zmdinvest.com）查阅，网址：http://xxgk.example.net/a。"
            ),
            ["www.zmdinvest.com", "http://xxgk.example.net/a"]
        );
    }

    #[test]
    fn presence() {
        assert!(!present("any", "一、总体情况\n电话沟通顺畅。\n"));
        assert!(present("any", "如有疑问请与办公室联系（地址：XX路1号）。"));
        assert!(present("phone", "联系电话：0954-2088829"));
        assert!(present("email", "xxgk@np.gov.cn"));
        assert!(present("website", "www.pingtan.gov.cn"));
        assert!(!present("website", "xxgk@np.gov.cn"));
        assert!(!present("address", "电子邮箱地址：xxgk@np.gov.cn"));
        assert!(present("postcode", "邮编:255022"));
    }

    /// domain.md §7: 001 and 004 give a valid phone and postcode, 002 a phone
    /// without an area code, 000 and 003 no contact at all.
    #[test]
    fn seeds() {
        for s in ["001_", "004_"] {
            let text = seed(s);
            for item in ["address", "postcode", "phone"] {
                assert!(present(item, &text), "{s} {item}");
            }
            for item in ["postcode", "phone", "email", "website"] {
                assert!(flagged(item, &text).is_empty(), "{s} {item}");
            }
        }
        let s002 = seed("002_");
        assert_eq!(flagged("phone", &s002), ["2795167"]);
        for s in ["000_", "003_"] {
            assert!(!present("any", &seed(s)), "{s}");
        }
    }

    /// The built-in rules' examples: valid ones raise nothing, invalid ones do.
    #[test]
    fn builtin_examples() {
        assert!(crate::rules::testing::builtin_examples("contact") >= 2);
    }
}
