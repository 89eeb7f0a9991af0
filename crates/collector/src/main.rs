//! The `leadtrail` binary: the command line lives in the library (`cli`), so that everything
//! else in it is private to the crate and the compiler finds what nothing uses.

use std::process::ExitCode;

/// jemalloc instead of glibc's malloc. A form post's memory is allocated on an HTTP
/// worker and freed on the writer thread; glibc then takes the allocating thread's arena
/// lock on every free and keeps those chunks out of the worker's cache, and it
/// consolidates its fast bins whenever a request body's buffer is allocated (perf: malloc
/// was a fifth of the HTTP workers' time, and the writer slept on arena locks). Measured
/// with `cargo xtask bench ingest`: 17.9k → 24.0k durable posts/s, machine CPU per post
/// 78 → 59 µs, p99 8.6 → 6.8 ms, peak RSS 37.7 → 44.2 MB.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    leadtrail_collector::cli::main()
}
