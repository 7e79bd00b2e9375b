//! The `tresor` binary: web server, CLI and scheduler in one.

fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    tresor::cli::main()
}

/// glibc gives each thread that allocates under contention an arena of its
/// own (up to 8 per core) and keeps each arena's high-water mark. The blocking
/// pool's threads each handle whole messages, so peak memory grew with how
/// often large messages happened to land on different threads: 55 MB for
/// 10,000 messages, 92 MB for 100,000. Two arenas keep it flat (38 / 44 MB)
/// at no measurable cost in speed (BENCHMARKS.md).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
