//! A plugin written the way a C author would: no SDK, only the descriptor
//! and JSON bytes. What `check` returns depends on GKLINT_TEST_PLUGIN_MODE:
//! `ok` (a finding on line 1), `bounds` (byte offsets past the end of the
//! text), `null` (a null buffer), anything else (invalid JSON).

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Str {
    ptr: *const u8,
    len: usize,
}

#[repr(C)]
pub struct Buffer {
    ptr: *mut u8,
    len: usize,
}

#[repr(C)]
pub struct PluginV1 {
    abi_version: u32,
    name: Str,
    version: Str,
    rules: Option<unsafe extern "C" fn() -> Buffer>,
    check: Option<unsafe extern "C" fn(Str, Str) -> Buffer>,
    free: Option<unsafe extern "C" fn(Buffer)>,
}

// SAFETY: static strings and functions only.
unsafe impl Sync for PluginV1 {}

const NAME: &str = "raw-test";
const VERSION: &str = "0.0.1";
const RULES: &str = r#"[{"id": "raw-test-rule", "category": "style", "severity": "warning",
  "message": "raw plugin finding {n}", "help": "nothing to do",
  "examples": {"valid": [], "invalid": []}}]"#;

fn buffer(bytes: Vec<u8>) -> Buffer {
    let len = bytes.len();
    Buffer {
        ptr: Box::into_raw(bytes.into_boxed_slice()).cast::<u8>(),
        len,
    }
}

unsafe extern "C" fn rules() -> Buffer {
    buffer(RULES.as_bytes().to_vec())
}

unsafe extern "C" fn check(_input: Str, source: Str) -> Buffer {
    let mode = std::env::var("GKLINT_TEST_PLUGIN_MODE").unwrap_or_default();
    let out = match mode.as_str() {
        "ok" => r#"[{"line": 1, "values": {"n": 1}}]"#.to_owned(),
        "bounds" => format!(
            r#"[{{"start": {}, "end": {}}}]"#,
            source.len + 10,
            source.len + 20
        ),
        "null" => {
            return Buffer {
                ptr: std::ptr::null_mut(),
                len: 0,
            };
        }
        _ => r#"[{"line": 1, "message": "unterminated"#.to_owned(),
    };
    buffer(out.into_bytes())
}

unsafe extern "C" fn free(b: Buffer) {
    if !b.ptr.is_null() {
        // SAFETY: made by `buffer`.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(b.ptr, b.len)) });
    }
}

static DESCRIPTOR: PluginV1 = PluginV1 {
    abi_version: 1,
    name: Str {
        ptr: NAME.as_ptr(),
        len: NAME.len(),
    },
    version: Str {
        ptr: VERSION.as_ptr(),
        len: VERSION.len(),
    },
    rules: Some(rules),
    check: Some(check),
    free: Some(free),
};

/// The entry point gklint calls: the descriptor.
#[unsafe(no_mangle)]
pub extern "C" fn gklint_plugin_v1() -> *const PluginV1 {
    &DESCRIPTOR
}
