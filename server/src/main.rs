//! The `tresor` binary. All logic lives in the library; see `tresor::cli`.

fn main() -> std::process::ExitCode {
    tresor::cli::main()
}
