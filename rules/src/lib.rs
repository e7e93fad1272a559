//! The built-in gklint packs, embedded in the binary so gklint works with no
//! set-up. Each pack is a directory of YAML files under `rules/`; this crate
//! only carries their text (the engine parses and validates them).

/// One embedded YAML file of a built-in pack.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinFile {
    /// The pack (directory) it belongs to.
    pub pack: &'static str,
    /// Its path relative to `rules/`, used in error messages.
    pub path: &'static str,
    pub contents: &'static str,
}

macro_rules! builtin {
    ($($pack:literal / $file:literal),* $(,)?) => {
        &[$(BuiltinFile {
            pack: $pack,
            path: concat!($pack, "/", $file),
            contents: include_str!(concat!("../", $pack, "/", $file)),
        }),*]
    };
}

/// Every built-in pack file, packs in dependency order.
pub const BUILTIN: &[BuiltinFile] = builtin![
    "common" / "pack.yaml",
    "common" / "rules.yaml",
    "national" / "pack.yaml",
    "national" / "rules.yaml",
    "national" / "template.yaml",
    "national" / "tables.yaml",
    "national-2019" / "pack.yaml",
    "national-2019" / "table-active-disclosure.yaml",
    "national-2019" / "table-applications.yaml",
    "national-2021" / "pack.yaml",
    "national-2021" / "table-active-disclosure.yaml",
    "national-2021" / "table-applications.yaml",
    "pre-2019" / "pack.yaml",
    "pre-2019" / "table-statistics-2016.yaml",
    "pre-2019" / "table-statistics-fujian.yaml",
    "national" / "structure.yaml",
    "pre-2019" / "rules.yaml",
    "common" / "dates.yaml",
    "common" / "contact.yaml",
    "common" / "document-numbers.yaml",
    "common" / "punctuation.yaml",
    "national" / "consistency.yaml",
    "common" / "consistency.yaml",
    "national" / "overview.yaml",
    "common" / "conventions.yaml",
    // built-in files: new entries above this line
];

/// The files of [`BUILTIN`] parsed, as JSON (without the rules' examples),
/// so that a lint need not parse the YAML. Made by the engine's test
/// `the_preparsed_builtin_packs_are_those_of_the_yaml`, which rewrites it
/// when the YAML changes; the engine parses the YAML instead while it is out
/// of date.
pub const PREPARSED: &str = include_str!("../generated/packs.json");

#[cfg(test)]
mod tests {
    use super::*;

    /// A YAML file added under rules/ but not listed above would silently not ship.
    #[test]
    fn every_yaml_file_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut on_disk = Vec::new();
        for dir in std::fs::read_dir(root).unwrap() {
            let dir = dir.unwrap().path();
            if !dir.is_dir()
                || dir.file_name().unwrap() == "src"
                || dir.file_name().unwrap() == "examples"
            {
                continue;
            }
            for f in std::fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "yaml") {
                    on_disk.push(
                        f.strip_prefix(root)
                            .unwrap()
                            .to_string_lossy()
                            .replace('\\', "/"),
                    );
                }
            }
        }
        on_disk.sort();
        let mut listed: Vec<String> = BUILTIN.iter().map(|f| f.path.to_owned()).collect();
        listed.sort();
        assert_eq!(on_disk, listed);
    }
}
