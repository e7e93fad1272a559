//! A plugin from a future gklint: ABI version 2, and a layout gklint 1
//! does not know. gklint must read the version and stop there.

#[repr(C)]
pub struct FutureDescriptor {
    pub abi_version: u32,
    /// Something version 2 might have that version 1 does not.
    pub flags: u64,
    pub boom: Option<unsafe extern "C" fn()>,
}

// SAFETY: plain data and a function pointer.
unsafe impl Sync for FutureDescriptor {}

unsafe extern "C" fn boom() {
    std::process::abort();
}

static DESCRIPTOR: FutureDescriptor = FutureDescriptor {
    abi_version: 2,
    flags: u64::MAX,
    boom: Some(boom),
};

/// The entry point gklint calls: the descriptor.
#[unsafe(no_mangle)]
pub extern "C" fn gklint_plugin_v1() -> *const FutureDescriptor {
    &DESCRIPTOR
}
