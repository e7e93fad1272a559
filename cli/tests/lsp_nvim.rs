//! `gklint lsp` in a real editor: headless Neovim opens a report, starts the
//! server, and must hold the same findings as `gklint check --format json`,
//! at the same lines and character columns (on Chinese lines, and after a
//! character outside the BMP). Skipped, saying so, when `nvim` is absent
//! (Debian: `apt-get install -y neovim`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const GKLINT: &str = env!("CARGO_BIN_EXE_gklint");

/// Attaches the server to the buffer, waits for the expected number of
/// findings, and writes them as JSON. Works with Neovim 0.7 and later.
const SCRIPT: &str = r#"
local out = os.getenv("GKLINT_OUT")
local file = os.getenv("GKLINT_FILE")
local expected = tonumber(os.getenv("GKLINT_EXPECTED"))
vim.cmd("edit " .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({
  name = "gklint",
  cmd = { os.getenv("GKLINT_BIN"), "lsp" },
  root_dir = vim.fn.fnamemodify(file, ":h"),
})
vim.lsp.buf_attach_client(buf, id)
local ok = vim.wait(30000, function() return #vim.diagnostic.get(buf) >= expected end, 20)
vim.wait(300)
local found = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local code = d.code
  if code == nil and d.user_data and d.user_data.lsp then code = d.user_data.lsp.code end
  table.insert(found, {
    lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
    code = code, message = d.message,
  })
end
local f = io.open(out, "w")
f:write(vim.fn.json_encode({ ok = ok, diagnostics = found }))
f:close()
vim.lsp.stop_client(id)
vim.cmd("qa!")
"#;

fn nvim_available() -> bool {
    Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// (rule, line, column, end line, end column, message), 1-based character columns.
type Finding = (String, u64, u64, u64, u64, String);

fn check_json(file: &Path) -> Vec<Finding> {
    let out = Command::new(GKLINT)
        .args(["check", "--format", "json", "--fail-on", "never"])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut list: Vec<Finding> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["end_line"].as_u64().unwrap(),
                f["end_column"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    list.sort();
    list
}

fn in_neovim(file: &Path, expected: usize, work: &Path) -> Vec<Finding> {
    let script = work.join("gklint_e2e.lua");
    std::fs::write(&script, SCRIPT).unwrap();
    let out = work.join(format!(
        "{}.json",
        file.file_name().unwrap().to_string_lossy()
    ));
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-i", "NONE"])
        .arg("-c")
        .arg(format!("luafile {}", script.display()))
        .env("GKLINT_OUT", &out)
        .env("GKLINT_FILE", file)
        .env("GKLINT_BIN", GKLINT)
        .env("GKLINT_EXPECTED", expected.to_string())
        .env("XDG_STATE_HOME", work)
        .env("XDG_DATA_HOME", work)
        .env("XDG_CACHE_HOME", work)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "nvim exited with {status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nvim did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["ok"], true, "nvim timed out waiting for findings: {v}");
    // Neovim counts columns in bytes; the CLI in characters.
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text.split('\n').collect();
    let chars = |line: u64, byte: u64| -> u64 {
        let l = lines.get(line as usize).copied().unwrap_or("");
        let b = (byte as usize).min(l.len());
        l[..b].chars().count() as u64 + 1
    };
    let mut list: Vec<Finding> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let (l, c) = (d["lnum"].as_u64().unwrap(), d["col"].as_u64().unwrap());
            let (el, ec) = (
                d["end_lnum"].as_u64().unwrap_or(l),
                d["end_col"].as_u64().unwrap_or(c),
            );
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                l + 1,
                chars(l, c),
                el + 1,
                chars(el, ec),
                d["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    list.sort();
    list
}

#[test]
fn neovim_shows_what_gklint_check_finds() {
    if !nvim_available() {
        eprintln!(
            "SKIPPED neovim_shows_what_gklint_check_finds: `nvim` is not installed \
             (Debian: apt-get install -y neovim)"
        );
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let seed: PathBuf = root.join("tests/fixtures/corpus/seeds/004_c70ffb9ddb659733.txt");
    let work = tempfile::tempdir().unwrap();
    // The seed's findings start lines; an edited copy adds findings in the
    // middle of Chinese lines, one after 𠀋 (two UTF-16 code units).
    let edited = work.path().join("edited.txt");
    let text = std::fs::read_to_string(&seed).unwrap();
    let changed = text.replacen(
        "有关文件精神",
        "有关文件精神（𠀋）与钩稽关系，依据国办公开办函〔2019〕60 号",
        1,
    );
    assert_ne!(text, changed, "the seed changed; pick another phrase");
    std::fs::write(&edited, changed).unwrap();

    for file in [seed, edited] {
        let expected = check_json(&file);
        assert!(!expected.is_empty(), "{} has findings", file.display());
        let got = in_neovim(&file, expected.len(), work.path());
        assert_eq!(got, expected, "{}", file.display());
        eprintln!(
            "neovim: {} findings as gklint check in {}: {:?}",
            got.len(),
            file.display(),
            got.iter().map(|f| (&f.0, f.1, f.2)).collect::<Vec<_>>()
        );
    }
    let edited_findings = check_json(&work.path().join("edited.txt"));
    assert!(
        edited_findings
            .iter()
            .any(|f| f.0 == "term-substitution" && f.2 > 30),
        "a finding in the middle of a Chinese line: {edited_findings:?}"
    );
}
