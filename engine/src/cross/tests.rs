use super::*;
use crate::read::Format;

const P2021: &str = include_str!("../../../tests/fixtures/corpus/real/013_pingtan-2021.txt");
const P2022: &str = include_str!("../../../tests/fixtures/corpus/real/022_pingtan-2022.txt");
const P2023: &str = include_str!("../../../tests/fixtures/corpus/real/023_pingtan-2023.txt");
const P2024: &str = include_str!("../../../tests/fixtures/corpus/real/017_pingtan-2024.txt");

fn parse(name: &str, text: &str) -> crate::Parsed {
    let catalog = crate::pack::builtin_catalog().unwrap();
    crate::parse(name, text.as_bytes().to_vec(), Format::Text, &catalog).unwrap()
}

fn run(parsed: &[crate::Parsed]) -> Vec<Finding> {
    let inputs: Vec<Input> = parsed.iter().map(Input::from).collect();
    check(&inputs)
}

#[test]
fn office_keys() {
    assert_eq!(
        office_key("平潭综合实验区管理委员会"),
        office_key("平潭综合实验区 管委会")
    );
    assert_eq!(office_key("（某市）统计局"), "某市统计局");
    assert_ne!(
        office_key("上海市人民政府办公厅"),
        office_key("上海市人民政府")
    );
}

#[test]
fn an_office_named_with_its_larger_areas_is_the_same_office() {
    let k = |s: &str| office_key(s);
    assert!(extends_office(
        &k("淮安市洪泽区人民政府"),
        &k("洪泽区人民政府")
    ));
    assert!(extends_office(
        &k("江苏省淮安市洪泽区人民政府"),
        &k("洪泽区人民政府")
    ));
    assert!(extends_office(
        &k("江苏省昆山市人民政府"),
        &k("昆山市人民政府")
    ));
    // Not the same office: a government and its 办公厅, a department of some
    // area, a different area.
    assert!(!extends_office(
        &k("上海市人民政府办公厅"),
        &k("上海市人民政府")
    ));
    assert!(!extends_office(&k("上海市人民政府"), &k("人民政府")));
    assert!(!extends_office(&k("某市统计局"), &k("统计局")));
    assert!(!extends_office(
        &k("淮安市洪泽区人民政府"),
        &k("泽区人民政府")
    ));
    assert!(!extends_office(
        &k("淮安市洪泽区人民政府"),
        &k("淮安市洪泽区人民政府")
    ));
    assert!(!extends_office(
        &k("中共洪泽区人民政府"),
        &k("洪泽区人民政府")
    ));
}

#[test]
fn hongze_2023_and_2024_pair_but_same_named_districts_of_two_cities_do_not() {
    let with_office = |name: &str, office: &str, year: &str| {
        let text = P2022
            .replace("平潭综合实验区", office)
            .replace("2022", year);
        parse(name, &text)
    };
    let a = with_office("2023.txt", "洪泽区人民政府", "2023");
    let b = with_office("2024.txt", "淮安市洪泽区人民政府", "2024");
    assert_eq!(a.report.office.as_deref(), Some("洪泽区人民政府"));
    assert_eq!(b.report.office.as_deref(), Some("淮安市洪泽区人民政府"));
    let inputs: Vec<Input> = [&a, &b].into_iter().map(Input::from).collect();
    assert_eq!(pairs(&inputs), [(0, 1)]);
    // 鼓楼区 lies in 南京市 and in 福州市: a bare 鼓楼区 pairs with neither.
    let c = with_office("nj.txt", "南京市鼓楼区人民政府", "2024");
    let d = with_office("fz.txt", "福州市鼓楼区人民政府", "2024");
    let e = with_office("gl.txt", "鼓楼区人民政府", "2023");
    let inputs: Vec<Input> = [&c, &d, &e].into_iter().map(Input::from).collect();
    assert!(pairs(&inputs).is_empty(), "{:?}", pairs(&inputs));
}

#[test]
fn pingtan_series_pairs_in_year_order() {
    // Given out of order: 2024, 2022, 2021, 2023.
    let parsed = [
        parse("2024.txt", P2024),
        parse("2022.txt", P2022),
        parse("2021.txt", P2021),
        parse("2023.txt", P2023),
    ];
    let inputs: Vec<Input> = parsed.iter().map(Input::from).collect();
    assert_eq!(pairs(&inputs), vec![(2, 1), (1, 3), (3, 0)]);
}

#[test]
fn pingtan_carry_over_holds() {
    let parsed = [
        parse("2021.txt", P2021),
        parse("2022.txt", P2022),
        parse("2023.txt", P2023),
        parse("2024.txt", P2024),
    ];
    let found = run(&parsed);
    assert!(
        !found
            .iter()
            .any(|f| f.diagnostic.rule == CARRY_OVER && !f.diagnostic.not_assessable),
        "{found:#?}"
    );
    // Real reports a year apart are not copies of each other.
    assert!(!found.iter().any(|f| f.diagnostic.rule == SIMILAR_TEXT));
}

#[test]
fn broken_carry_over_names_both_files() {
    let broken = P2022.replacen(
        "二、上年结转政府信息公开申请数量 1000001",
        "二、上年结转政府信息公开申请数量 2000002",
        1,
    );
    assert_ne!(broken, P2022);
    let parsed = [parse("a/2021.txt", P2021), parse("b/2022.txt", &broken)];
    let found: Vec<_> = run(&parsed)
        .into_iter()
        .filter(|f| f.diagnostic.rule == CARRY_OVER)
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    for f in &found {
        let d = &f.diagnostic;
        assert_eq!((f.report, f.previous), (1, 0));
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.category, Category::Consistency);
        assert!(d.message.contains("a/2021.txt") && d.message.contains("b/2022.txt"));
        assert_eq!(&parsed[1].source.text[d.span.clone()], "2");
        assert_eq!(d.related.len(), 1);
        let e = Elsewhere::of(d).unwrap();
        assert_eq!(e.path, "a/2021.txt");
        assert_eq!(e.line, parsed[0].source.position(0).line.max(e.line));
    }
    let cols: Vec<_> = found
        .iter()
        .map(|f| f.diagnostic.values["列"].as_str())
        .collect();
    assert_eq!(cols, ["自然人", "总计"]);
}

#[test]
fn in_force_identity() {
    let report = |year: i32, issued: u32, repealed: u32, in_force: u32| {
        format!(
            "某县统计局{year}年政府信息公开工作年度报告\n\
             二、主动公开政府信息情况\n\
             第二十条第（一）项\n\
             信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n\
             规章\t0\t0\t0\n\
             行政规范性文件\t{issued}\t{repealed}\t{in_force}\n"
        )
    };
    let ok = [
        parse("2022.txt", &report(2022, 3, 0, 10)),
        parse("2023.txt", &report(2023, 4, 2, 12)),
    ];
    assert!(
        !run(&ok).iter().any(|f| f.diagnostic.rule == IN_FORCE),
        "{:#?}",
        run(&ok)
    );
    let bad = [
        parse("2022.txt", &report(2022, 3, 0, 10)),
        parse("2023.txt", &report(2023, 4, 2, 15)),
    ];
    let found: Vec<_> = run(&bad)
        .into_iter()
        .filter(|f| f.diagnostic.rule == IN_FORCE)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    let d = &found[0].diagnostic;
    assert_eq!(d.severity, Severity::Warning);
    assert!(!d.not_assessable);
    assert_eq!(d.values["应为"], "12");
    assert_eq!(d.related.len(), 3);
    assert!(d.message.contains("2022.txt") && d.message.contains("2023.txt"));
}

#[test]
fn unrelated_offices_and_gaps_are_not_paired() {
    let a = parse("a.txt", &P2021.replace("平潭综合实验区", "某某县"));
    let b = parse("b.txt", P2022);
    let d = parse("d.txt", P2024);
    let inputs: Vec<Input> = [&a, &b, &d].into_iter().map(Input::from).collect();
    assert!(pairs(&inputs).is_empty());
}

#[test]
fn copied_text_is_reported_with_repeated_sentences() {
    // Last year's report with the year and a few numbers changed.
    let copy = P2022
        .replace("2022年", "2023年")
        .replace("2022年度", "2023年度");
    let parsed = [parse("2022.txt", P2022), parse("2023.txt", &copy)];
    let inputs: Vec<Input> = parsed.iter().map(Input::from).collect();
    let score = similarity(&inputs[0], &inputs[1]).unwrap();
    assert!(score > 0.9, "{score}");
    let found: Vec<_> = run(&parsed)
        .into_iter()
        .filter(|f| f.diagnostic.rule == SIMILAR_TEXT)
        .collect();
    assert_eq!(found.len(), 1);
    assert!(!found[0].diagnostic.related.is_empty());
    assert_eq!(found[0].diagnostic.severity, Severity::Warning);
}

#[test]
fn real_consecutive_reports_score_low() {
    let parsed = [
        parse("2021.txt", P2021),
        parse("2022.txt", P2022),
        parse("2023.txt", P2023),
        parse("2024.txt", P2024),
    ];
    let inputs: Vec<Input> = parsed.iter().map(Input::from).collect();
    for w in inputs.windows(2) {
        let s = similarity(&w[0], &w[1]).unwrap();
        eprintln!("{} vs {}: {s:.3}", w[0].source.name, w[1].source.name);
        assert!(
            s < THRESHOLD,
            "{} vs {}: {s}",
            w[0].source.name,
            w[1].source.name
        );
    }
}
