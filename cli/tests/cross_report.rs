//! Cross-document checks (`gklint check` over several years, `--history`),
//! the HTML report (rendered in headless Chromium when it is installed) and
//! `gklint extract --format csv` against `gklint parse --format json`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

mod support;

use support::{fixture, gklint, json_of};

const P2021: &str = "corpus/real/013_pingtan-2021.txt";
const P2022: &str = "corpus/real/022_pingtan-2022.txt";
const P2023: &str = "corpus/real/023_pingtan-2023.txt";
const P2024: &str = "corpus/real/017_pingtan-2024.txt";
const BROKEN_2022: &str = "cross/broken-carry-over/022_pingtan-2022-broken.txt";

fn findings(args: &[&str], files: &[PathBuf]) -> (Vec<serde_json::Value>, Option<i32>) {
    let out = gklint()
        .args(["check", "--format", "json"])
        .args(args)
        .args(files)
        .output()
        .unwrap();
    let v = json_of(&out.stdout);
    (v.as_array().unwrap().clone(), out.status.code())
}

fn rule_of(f: &serde_json::Value) -> &str {
    f["rule"].as_str().unwrap()
}

#[test]
fn consistent_pingtan_pairs_have_no_carry_over_error() {
    let files: Vec<PathBuf> = [P2021, P2022, P2023, P2024]
        .iter()
        .map(|f| fixture(f))
        .collect();
    let (found, _) = findings(&[], &files);
    let cross: Vec<_> = found
        .iter()
        .filter(|f| rule_of(f).starts_with("cross-"))
        .collect();
    assert!(
        !cross
            .iter()
            .any(|f| rule_of(f) == "cross-carry-over" && f["severity"] == "error"),
        "{cross:#?}"
    );
    assert!(
        !cross.iter().any(|f| rule_of(f) == "cross-similar-text"),
        "{cross:#?}"
    );
}

#[test]
fn broken_carry_over_is_an_error_naming_both_files() {
    let earlier = fixture(P2021);
    let broken = fixture(BROKEN_2022);
    let (found, code) = findings(&[], &[earlier.clone(), broken.clone()]);
    assert_eq!(code, Some(1));
    let carry: Vec<_> = found
        .iter()
        .filter(|f| rule_of(f) == "cross-carry-over")
        .collect();
    assert_eq!(carry.len(), 2, "{carry:#?}");
    let (earlier, broken) = (earlier.display().to_string(), broken.display().to_string());
    for f in &carry {
        assert_eq!(f["severity"], "error");
        assert_eq!(f["category"], "consistency");
        assert_eq!(f["path"], broken.as_str());
        let message = f["message"].as_str().unwrap();
        assert!(
            message.contains(&earlier) && message.contains(&broken),
            "{message}"
        );
        let rel = &f["related_location"];
        assert_eq!(rel["path"], earlier.as_str());
        assert_eq!(rel["line"], 10);
        assert!(rel["column"].as_u64().unwrap() > 1);
    }
    assert!(carry[0]["message"].as_str().unwrap().contains("自然人"));
    assert!(carry[1]["message"].as_str().unwrap().contains("总计"));
}

#[test]
fn history_reports_are_compared_but_not_reported() {
    let history = fixture("corpus/real");
    let (found, code) = findings(
        &["--history", history.to_str().unwrap()],
        &[fixture(BROKEN_2022)],
    );
    assert_eq!(code, Some(1));
    let broken = fixture(BROKEN_2022).display().to_string();
    assert!(
        found.iter().all(|f| f["path"] == broken.as_str()),
        "only the run's file is reported"
    );
    let carry: Vec<_> = found
        .iter()
        .filter(|f| rule_of(f) == "cross-carry-over")
        .collect();
    assert_eq!(carry.len(), 2, "{carry:#?}");
    assert!(
        carry[0]["related_location"]["path"]
            .as_str()
            .unwrap()
            .ends_with("013_pingtan-2021.txt")
    );
    // 2023's report (in the history) is compared with the broken 2022, but
    // findings about 2023 belong to a history file and are not shown.
    // A history folder that does not exist is a usage error.
    gklint()
        .args(["check", "--history", "/nonexistent/历年报告"])
        .arg(fixture(P2022))
        .assert()
        .code(2);
}

#[test]
fn a_history_copy_of_a_run_file_is_not_compared_twice() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture(P2021), dir.path().join("2021.txt")).unwrap();
    let (with_history, _) = findings(
        &["--history", dir.path().to_str().unwrap()],
        &[fixture(BROKEN_2022)],
    );
    let (pair, _) = findings(&[], &[dir.path().join("2021.txt"), fixture(BROKEN_2022)]);
    let count = |v: &[serde_json::Value]| {
        v.iter()
            .filter(|f| rule_of(f) == "cross-carry-over")
            .count()
    };
    assert_eq!(count(&with_history), 2);
    assert_eq!(count(&pair), 2);
}

#[test]
fn a_copied_report_is_reported_as_similar_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture(P2022)).unwrap();
    std::fs::write(dir.path().join("2022.txt"), &text).unwrap();
    std::fs::write(
        dir.path().join("2023.txt"),
        text.replace("2022年", "2023年"),
    )
    .unwrap();
    let (found, _) = findings(&[], &[dir.path().to_path_buf()]);
    let similar: Vec<_> = found
        .iter()
        .filter(|f| rule_of(f) == "cross-similar-text")
        .collect();
    assert_eq!(similar.len(), 1, "{similar:#?}");
    assert_eq!(similar[0]["severity"], "warning");
    assert!(similar[0]["path"].as_str().unwrap().ends_with("2023.txt"));
    // Configuration turns the rule off like any other.
    std::fs::write(
        dir.path().join("gklint.yaml"),
        "rules:\n  cross-similar-text: off\n",
    )
    .unwrap();
    let (found, _) = findings(&[], &[dir.path().to_path_buf()]);
    assert!(!found.iter().any(|f| rule_of(f) == "cross-similar-text"));
}

/// The cross pass may reuse the reports it read first; after `--fix` it
/// must compare the files as fixed on disk.
#[test]
fn cross_findings_after_fix_are_those_of_the_fixed_files() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture(P2022)).unwrap();
    std::fs::write(dir.path().join("2022.txt"), &text).unwrap();
    // A two-digit year the fix writes out in full: the text after it moves.
    let copy = text
        .replace("2022年", "2023年")
        .replace("国办公开办函〔2021〕30号", "国办公开办函〔21〕30号");
    assert_ne!(copy, text.replace("2022年", "2023年"));
    let later = dir.path().join("2023.txt");
    std::fs::write(&later, &copy).unwrap();
    let cross = |found: Vec<serde_json::Value>| -> Vec<serde_json::Value> {
        found
            .into_iter()
            .filter(|f| rule_of(f).starts_with("cross-"))
            .collect()
    };
    let (fixed_run, _) = findings(&["--fix"], &[dir.path().to_path_buf()]);
    let on_disk = std::fs::read_to_string(&later).unwrap();
    assert!(
        on_disk.contains("国办公开办函〔2021〕30号"),
        "the fix was applied"
    );
    let (fresh_run, _) = findings(&[], &[dir.path().to_path_buf()]);
    let (fixed_run, fresh_run) = (cross(fixed_run), cross(fresh_run));
    assert!(
        fixed_run.iter().any(|f| rule_of(f) == "cross-similar-text"),
        "{fixed_run:#?}"
    );
    assert_eq!(fixed_run, fresh_run);
}

#[test]
fn sarif_names_the_other_file_as_a_related_location() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json")).unwrap();
    let out = gklint()
        .args(["check", "--format", "sarif"])
        .arg(fixture(P2021))
        .arg(fixture(BROKEN_2022))
        .output()
        .unwrap();
    let sarif = json_of(&out.stdout);
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "SARIF invalid:\n{}", errors.join("\n"));
    let driver_rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(driver_rules.iter().any(|r| r["id"] == "cross-carry-over"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let carry: Vec<_> = results
        .iter()
        .filter(|r| r["ruleId"] == "cross-carry-over")
        .collect();
    assert_eq!(carry.len(), 2);
    for r in carry {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(driver_rules[i]["id"], "cross-carry-over");
        let uri = r["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.ends_with("013_pingtan-2021.txt"), "{uri}");
    }
}

/// Word, HTML and PDF findings carry their place in the original file:
/// `location` in JSON (absent for text files), a logical location in SARIF.
#[test]
fn json_and_sarif_carry_the_place_in_the_original_file() {
    let pdf = fixture("corpus/real/010_kirogov-hongze2023.pdf");
    let html = fixture("corpus/real/025_shanghai-office-2019.html");
    let text = fixture(P2021);
    let (found, _) = findings(&[], &[pdf.clone(), html.clone(), text.clone()]);
    let location = |path: &Path, rule: &str| {
        found
            .iter()
            .find(|f| f["path"].as_str() == path.to_str() && rule_of(f) == rule)
            .map(|f| f["location"].clone())
            .unwrap_or_else(|| panic!("{rule} not found for {}", path.display()))
    };
    assert_eq!(
        location(&pdf, "review-litigation-review-total"),
        "第4页，表四"
    );
    assert_eq!(location(&html, "applications-balance"), "表三第1行第4列");
    assert_eq!(location(&html, "section-variant"), "第30段");
    for f in found.iter().filter(|f| f["path"].as_str() == text.to_str()) {
        assert!(f.get("location").is_none(), "{f}");
    }
    // Every field of the contract is still there.
    let f = &found[0];
    for key in [
        "path",
        "rule",
        "category",
        "severity",
        "message",
        "line",
        "column",
        "end_line",
        "end_column",
        "help",
    ] {
        assert!(f.get(key).is_some(), "{key} missing from {f}");
    }

    let schema: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json")).unwrap();
    let out = gklint()
        .args(["check", "--format", "sarif"])
        .arg(&pdf)
        .output()
        .unwrap();
    let sarif = json_of(&out.stdout);
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "SARIF invalid:\n{}", errors.join("\n"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let review = results
        .iter()
        .find(|r| r["ruleId"] == "review-litigation-review-total")
        .unwrap();
    assert_eq!(
        review["locations"][0]["logicalLocations"][0]["name"],
        "第4页，表四"
    );
}

#[test]
fn human_output_shows_the_other_file() {
    let out = gklint()
        .arg("check")
        .arg(fixture(P2021))
        .arg(fixture(BROKEN_2022))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[cross-carry-over]"));
    assert!(text.contains(&format!("对照 {}:10:", fixture(P2021).display())));
}

// ---------------------------------------------------------------- HTML

/// The files of the HTML tests: a broken pair, a consistent one, a seed with
/// table faults and a fix, and a Markdown report.
fn html_files() -> Vec<PathBuf> {
    [
        P2021,
        BROKEN_2022,
        P2023,
        "corpus/seeds/000_548bc2f7026a6c36.txt",
        "corpus/seeds/004_c70ffb9ddb659733.txt",
        "markdown/001-guyuan-2020.md",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect()
}

fn html_report(dir: &Path) -> (PathBuf, Vec<serde_json::Value>) {
    let html = dir.join("报告.html");
    gklint()
        .args(["check", "--format", "html", "--output"])
        .arg(&html)
        .args(html_files())
        .assert()
        .code(1);
    let (json, _) = findings(&[], &html_files());
    (html, json)
}

/// The `data-*` attributes of every element whose opening tag starts with `start`.
fn tags(html: &str, start: &str) -> Vec<BTreeMap<String, String>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(start) {
        let tag = &rest[i..];
        let end = tag.find('>').unwrap_or(tag.len());
        out.push(attributes(&tag[..end]));
        rest = &tag[end..];
    }
    out
}

fn attributes(tag: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = tag;
    while let Some(i) = rest.find(" data-") {
        let after = &rest[i + 1..];
        let Some(eq) = after.find("=\"") else { break };
        let name = after[..eq].to_owned();
        let value_start = &after[eq + 2..];
        let close = value_start.find('"').unwrap_or(value_start.len());
        let value = value_start[..close]
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        out.insert(name, value);
        rest = &value_start[close..];
    }
    out
}

/// Checks the page's counts against the JSON findings of the same files.
fn assert_counts_match(html: &str, json: &[serde_json::Value]) {
    let count = |f: &dyn Fn(&serde_json::Value) -> bool| json.iter().filter(|x| f(x)).count();
    let body = &tags(html, "<body")[0];
    assert_eq!(body["data-findings"], json.len().to_string());
    for (attr, sev) in [
        ("data-errors", "error"),
        ("data-warnings", "warning"),
        ("data-infos", "info"),
    ] {
        assert_eq!(
            body[attr],
            count(&|f| f["severity"] == sev).to_string(),
            "{attr}"
        );
    }
    // One li.finding per JSON finding, with the same path, rule, severity,
    // category and line. (The page shows a report's findings across years
    // inside the report; the JSON lists them after the files' own.)
    let items = tags(html, "<li class=\"finding");
    assert_eq!(items.len(), json.len());
    let mut from_page: Vec<[String; 5]> = items
        .iter()
        .map(|li| {
            [
                "data-path",
                "data-line",
                "data-rule",
                "data-severity",
                "data-category",
            ]
            .map(|k| li[k].clone())
        })
        .collect();
    let mut from_json: Vec<[String; 5]> = json
        .iter()
        .map(|f| {
            [
                f["path"].as_str().unwrap().to_owned(),
                f["line"].to_string(),
                f["rule"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["category"].as_str().unwrap().to_owned(),
            ]
        })
        .collect();
    from_page.sort();
    from_json.sort();
    assert_eq!(from_page, from_json);
    // Per report.
    let reports = tags(html, "<section class=\"report\"");
    assert_eq!(reports.len(), html_files().len());
    for r in &reports {
        let path = r["data-path"].as_str();
        assert_eq!(
            r["data-findings"],
            count(&|f| f["path"] == path).to_string(),
            "{path}"
        );
        assert_eq!(
            r["data-errors"],
            count(&|f| f["path"] == path && f["severity"] == "error").to_string()
        );
    }
    // Per category.
    let mut by_category: HashMap<String, usize> = HashMap::new();
    for f in json {
        *by_category
            .entry(f["category"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let rows = tags(html, "<tr data-category=");
    assert_eq!(rows.len(), 9);
    for row in rows {
        let cat = &row["data-category"];
        assert_eq!(
            row["data-count"],
            by_category.get(cat).copied().unwrap_or(0).to_string(),
            "{cat}"
        );
    }
}

#[test]
fn html_is_self_contained_and_its_counts_match_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let (path, json) = html_report(dir.path());
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(json.iter().any(|f| f["rule"] == "cross-carry-over"));
    assert!(json.iter().any(|f| f.get("fix").is_some()));
    assert_counts_match(&html, &json);
    // Nothing loaded from elsewhere. The report text is escaped, so a `<`
    // or an attribute quote in the page is markup.
    for needle in [
        "<link",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "<script src",
        " src=\"",
        " href=\"http",
    ] {
        assert!(
            !html.contains(needle),
            "the page refers to another file: {needle}"
        );
    }
    let style = &html[html.find("<style>").unwrap()..html.find("</style>").unwrap()];
    assert!(!style.contains("url(") && !style.contains("@import"));
    let script = &html[html.find("<script>").unwrap()..html.find("</script>").unwrap()];
    assert!(!script.contains("fetch(") && !script.contains("XMLHttpRequest"));
    // The chart is inline SVG; faults are highlighted in the text; the
    // cells of a failed identity are marked; fixes and the other file shown.
    assert!(html.contains("<svg id=\"category-chart\""));
    assert!(html.contains("<mark class=\"sev-error hit"));
    assert!(html.contains(" cell\""));
    assert!(html.contains("class=\"fix\""));
    assert!(html.contains("class=\"elsewhere\""));
}

/// Headless Chromium, or `None` (with a message) when it is not installed.
fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let ok = StdCommand::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(PathBuf::from(name));
        }
    }
    eprintln!(
        "SKIPPED: headless Chromium is not installed, so the HTML report was not rendered \
         (Debian: apt-get install -y chromium)"
    );
    None
}

/// Runs Chromium headless with a time limit; returns its standard output.
fn run_chromium(browser: &Path, profile: &Path, args: &[String]) -> Vec<u8> {
    let out_file = profile.join("stdout.txt");
    let mut child = StdCommand::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--disable-extensions",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=3000",
            // This machine has no network: without these Chromium keeps
            // trying Google's hosts and can stall at start.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.join("profile").display()
        ))
        .args(args)
        .stdout(std::fs::File::create(&out_file).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read(out_file).unwrap()
}

fn file_url(path: &Path) -> String {
    let abs = std::fs::canonicalize(path).unwrap();
    let mut url = String::from("file://");
    for b in abs.display().to_string().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

#[test]
fn html_renders_in_chromium_and_the_dom_matches_the_json() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (path, json) = html_report(dir.path());
    let url = file_url(&path);

    // The DOM after the page's script ran.
    let dom = run_chromium(&browser, dir.path(), &["--dump-dom".into(), url.clone()]);
    let dom = String::from_utf8(dom).expect("UTF-8 DOM");
    assert!(dom.contains("<body"), "no DOM dumped");
    let body = &tags(&dom, "<body")[0];
    assert_eq!(
        body.get("data-rendered-findings").map(String::as_str),
        Some(json.len().to_string().as_str()),
        "the script counted the findings the browser built"
    );
    assert_eq!(
        body["data-rendered-reports"],
        html_files().len().to_string()
    );
    assert!(body["data-rendered-marks"].parse::<usize>().unwrap() > 0);
    assert_counts_match(&dom, &json);

    // A screenshot: a PNG of the window's size that is not blank.
    let shot = dir.path().join("shot.png");
    run_chromium(
        &browser,
        dir.path(),
        &[
            "--window-size=1280,1800".into(),
            format!("--screenshot={}", shot.display()),
            url,
        ],
    );
    let bytes = std::fs::read(&shot).expect("a screenshot was written");
    assert!(bytes.len() > 10_000, "screenshot of {} bytes", bytes.len());
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG pixels");
    assert_eq!((info.width, info.height), (1280, 1800));
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let mut colors: HashMap<&[u8], usize> = HashMap::new();
    for p in pixels.chunks(channels) {
        *colors.entry(&p[..3.min(channels)]).or_default() += 1;
    }
    let total = (info.width * info.height) as usize;
    let background = colors.values().max().copied().unwrap_or(0);
    assert!(
        colors.len() > 50,
        "only {} colours: the page looks blank",
        colors.len()
    );
    assert!(
        background < total * 95 / 100,
        "{}% of the screenshot is one colour",
        background * 100 / total
    );
    // The header band is dark navy (#23324a): the stylesheet applied.
    let px = |x: u32, y: u32| {
        let i = ((y * info.width + x) as usize) * channels;
        (pixels[i], pixels[i + 1], pixels[i + 2])
    };
    let (r, g, b) = px(5, 5);
    assert!(
        r < 80 && g < 90 && b > 50 && b < 120,
        "header colour {r},{g},{b}"
    );
}

// ---------------------------------------------------------------- CSV

#[test]
fn csv_round_trips_against_parse_json() {
    let files: Vec<PathBuf> = [
        P2021,
        P2022,
        P2023,
        P2024,
        "corpus/real/014_pingtan-2019.txt",
        "corpus/real/021_pingtan-2020.txt",
        "corpus/seeds/000_548bc2f7026a6c36.txt",
        "corpus/seeds/001_2502c89aab11ed1e.txt",
        "corpus/seeds/002_3c9393350f2ebcec.txt",
        "corpus/seeds/003_89a4c02431010c13.txt",
        "corpus/seeds/004_c70ffb9ddb659733.txt",
        // The same report as seed 001, in Markdown: same office and year,
        // told apart by the path column.
        "markdown/001-guyuan-2020.md",
        // A web page and a PDF.
        "corpus/real/025_shanghai-office-2019.html",
        "corpus/real/010_kirogov-hongze2023.pdf",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    let out = gklint()
        .args(["extract", "--format", "csv"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "office",
            "year",
            "table",
            "row",
            "column",
            "value",
            "path",
            "row_label",
            "column_label"
        ]
    );
    // (path, table, row, column) → (office, year, value, row_label, column_label)
    let mut csv_cells: BTreeMap<[String; 4], [String; 5]> = BTreeMap::new();
    for rec in reader.records() {
        let rec = rec.unwrap();
        let key = [6, 2, 3, 4].map(|i| rec[i].to_owned());
        let fields = [0, 1, 5, 7, 8].map(|i| rec[i].to_owned());
        assert!(
            csv_cells.insert(key.clone(), fields).is_none(),
            "duplicate {key:?}"
        );
    }
    let mut seen = 0;
    let mut numbers = 0;
    let mut paths = std::collections::BTreeSet::new();
    for f in &files {
        let out = gklint()
            .args(["parse", "--format", "json"])
            .arg(f)
            .output()
            .unwrap();
        let report = json_of(&out.stdout);
        let path = f.display().to_string();
        let office = report["office"].as_str().unwrap_or("").to_owned();
        let year = report["year"]
            .as_i64()
            .map(|y| y.to_string())
            .unwrap_or_default();
        for t in report["tables"].as_array().unwrap() {
            let columns: Vec<(&str, &str)> = t["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c["id"].as_str().unwrap(), c["label"].as_str().unwrap()))
                .collect();
            for row in t["rows"].as_array().unwrap() {
                for ((col, col_label), v) in columns.iter().zip(row["values"].as_array().unwrap()) {
                    let key = [
                        path.clone(),
                        t["id"].as_str().unwrap().to_owned(),
                        row["id"].as_str().unwrap().to_owned(),
                        (*col).to_owned(),
                    ];
                    match csv_cells.get(&key) {
                        Some([o, y, value, row_label, column_label]) => {
                            seen += 1;
                            paths.insert(path.clone());
                            assert_eq!((o, y), (&office, &year), "{key:?}");
                            assert_eq!(row_label, row["label"].as_str().unwrap(), "{key:?}");
                            assert_eq!(column_label, col_label, "{key:?}");
                            if v.is_null() {
                                assert_eq!(value, "", "{key:?}: blank is never 0");
                            } else {
                                numbers += 1;
                                assert_eq!(
                                    value.parse::<f64>().unwrap(),
                                    v.as_f64().unwrap(),
                                    "{key:?}"
                                );
                            }
                        }
                        None => assert!(v.is_null(), "{key:?} = {v} missing from the CSV"),
                    }
                }
            }
        }
    }
    assert_eq!(
        seen,
        csv_cells.len(),
        "every CSV line is a cell of the model"
    );
    assert_eq!(paths.len(), files.len(), "every file has its lines");
    assert!(numbers > 300, "{numbers} numbers");
    // A 2021-format value with a decimal stays exactly as written.
    assert!(csv_cells.values().any(|v| v[2] == "9116.36"));
}

#[test]
fn extract_names_an_unreadable_file_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("out.csv");
    gklint()
        .args(["extract", "--output"])
        .arg(&out_file)
        .arg(fixture(P2021))
        .arg(dir.path().join("缺失.txt"))
        .assert()
        .code(2);
    gklint()
        .args(["extract", "--output"])
        .arg(&out_file)
        .arg(fixture(P2021))
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&out_file).unwrap();
    assert!(text.starts_with("office,year,table,row,column,value,path,row_label,column_label\n"));
    let path = fixture(P2021).display().to_string();
    assert!(
        text.contains(&format!(
            "平潭综合实验区,2021,applications,carried-forward,natural-person,1,{path},四、结转下年度继续办理,自然人\n"
        )),
        "{text}"
    );
}
