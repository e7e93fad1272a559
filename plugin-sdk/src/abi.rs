//! The plugin side of gklint's C ABI, version 1 (the host side is
//! `gklint_engine::plugin::abi`; the two must stay identical in layout).
//! Plugin authors do not use this module directly: [`export_plugin!`](crate::export_plugin)
//! fills the descriptor.

/// The ABI version this SDK builds.
pub const ABI_VERSION: u32 = 1;

/// Borrowed UTF-8 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Str {
    pub ptr: *const u8,
    pub len: usize,
}

impl Str {
    pub const fn from_static(s: &'static str) -> Str {
        Str {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }

    /// # Safety
    /// `ptr` must be null with `len` 0, or point to `len` readable bytes that
    /// outlive the returned slice.
    pub unsafe fn as_bytes<'a>(self) -> &'a [u8] {
        if self.ptr.is_null() || self.len == 0 {
            return &[];
        }
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// Bytes this plugin allocated and gklint hands back to [`free`].
#[repr(C)]
#[derive(Debug)]
pub struct Buffer {
    pub ptr: *mut u8,
    pub len: usize,
}

impl Buffer {
    pub fn from_vec(v: Vec<u8>) -> Buffer {
        let len = v.len();
        Buffer {
            ptr: Box::into_raw(v.into_boxed_slice()).cast::<u8>(),
            len,
        }
    }
}

/// Frees a buffer made by [`Buffer::from_vec`].
///
/// # Safety
/// `b` must come from [`Buffer::from_vec`] in this library, and be freed once.
pub unsafe extern "C" fn free(b: Buffer) {
    if !b.ptr.is_null() {
        // SAFETY: made from a boxed slice of exactly this length.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(b.ptr, b.len)) });
    }
}

pub type RulesFn = unsafe extern "C" fn() -> Buffer;
pub type CheckFn = unsafe extern "C" fn(input: Str, source: Str) -> Buffer;
pub type FreeFn = unsafe extern "C" fn(buffer: Buffer);

/// The descriptor that the exported `gklint_plugin_v1()` returns.
#[repr(C)]
#[derive(Debug)]
pub struct PluginV1 {
    pub abi_version: u32,
    pub name: Str,
    pub version: Str,
    pub rules: Option<RulesFn>,
    pub check: Option<CheckFn>,
    pub free: Option<FreeFn>,
}

// SAFETY: the descriptor only holds pointers to static strings and functions.
unsafe impl Sync for PluginV1 {}
