//! The CLI's own configuration discovery (`cli/src/config.rs`: `gklint.yaml`
//! or `.gklint.yaml`, nearest above the file, per-path overrides) and pack
//! reading (`cli/src/packs.rs`), compiled into the server from the CLI's
//! source files, so that the editor and `gklint check` find the same
//! configuration and packs. The CLI is unchanged; both files use only the
//! engine and ordinary crates, never the CLI's other modules.

#[path = "../../cli/src/config.rs"]
#[allow(dead_code)]
pub mod config;

#[path = "../../cli/src/packs.rs"]
#[allow(dead_code)]
pub mod packs;

#[path = "../../cli/src/limits.rs"]
#[allow(dead_code)]
pub mod limits;

#[path = "../../cli/src/regular_file.rs"]
#[allow(dead_code)]
pub mod regular_file;
