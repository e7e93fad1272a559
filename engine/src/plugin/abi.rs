//! The C ABI between gklint and a native plugin, version 1.
//!
//! A plugin is a shared library (`.so`, `.dylib`, `.dll`) that exports one
//! function, `gklint_plugin_v1`, returning a pointer to its [`PluginV1`]
//! descriptor (static: valid for as long as the library is loaded). Only C types
//! and UTF-8 bytes cross the boundary, so a plugin built by another Rust
//! version, or written in C, works:
//!
//! ```c
//! typedef struct { const uint8_t *ptr; size_t len; } gklint_str;
//! typedef struct { uint8_t *ptr; size_t len; } gklint_buffer;
//! typedef struct {
//!     uint32_t abi_version;                 /* 1 */
//!     gklint_str name, version;             /* UTF-8, static */
//!     gklint_buffer (*rules)(void);         /* JSON array of rule objects */
//!     gklint_buffer (*check)(gklint_str input_json, gklint_str source_text);
//!     void (*free)(gklint_buffer);          /* frees what rules/check returned */
//! } gklint_plugin_v1_t;
//! static const gklint_plugin_v1_t descriptor = { 1, ... };
//! const gklint_plugin_v1_t *gklint_plugin_v1(void) { return &descriptor; }
//! ```
//!
//! The host reads `abi_version` first, before it reads or calls anything
//! else, and refuses any version but [`ABI_VERSION`]. `check` may be called
//! from several threads at once and must not keep pointers to its
//! arguments; every buffer it or `rules` returns is handed back to `free`.
//! The JSON shapes are described in `wire.rs` (and mirrored by the
//! `gklint-plugin` SDK).

/// The ABI version this gklint speaks.
pub const ABI_VERSION: u32 = 1;

/// The exported function's symbol name.
pub const SYMBOL: &str = "gklint_plugin_v1";

/// Borrowed UTF-8 bytes (not NUL-terminated).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Str {
    pub ptr: *const u8,
    pub len: usize,
}

impl Str {
    pub fn of(s: &[u8]) -> Str {
        Str {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }
}

/// Bytes the plugin allocated; the host copies them, then calls `free`.
#[repr(C)]
#[derive(Debug)]
pub struct Buffer {
    pub ptr: *mut u8,
    pub len: usize,
}

pub type RulesFn = unsafe extern "C" fn() -> Buffer;
pub type CheckFn = unsafe extern "C" fn(input: Str, source: Str) -> Buffer;
pub type FreeFn = unsafe extern "C" fn(buffer: Buffer);

/// The descriptor a plugin's `gklint_plugin_v1()` returns.
#[repr(C)]
#[derive(Debug)]
pub struct PluginV1 {
    /// Must be [`ABI_VERSION`]; read before anything else.
    pub abi_version: u32,
    /// The plugin's name: its rules are listed under it as their pack.
    pub name: Str,
    pub version: Str,
    /// The plugin's rules, as a JSON array.
    pub rules: Option<RulesFn>,
    /// Findings for one report, as a JSON array.
    pub check: Option<CheckFn>,
    pub free: Option<FreeFn>,
}
