//! Splits the linked WASM into the main module and lazily loaded chunks, as
//! cargo-leptos does: every `#[lazy]` function (the lazy pages of
//! app/src/lazy_pages.rs) and what only it uses goes into a chunk of its own,
//! fetched the first time the function runs. The input must be linked with
//! `--emit-relocs` (build.rs asks for it): the relocations say which code and
//! data each function uses.
//!
//! Writes into `pkg`:
//! - the chunks (`NAME.wasm`, plain WebAssembly the browser instantiates itself);
//! - [`LINK_NAME`], the JavaScript that fetches and instantiates them, which the
//!   main module imports (so wasm-bindgen's `tresor.js` imports it too);
//! - [`MANIFEST`], which chunks each lazy function needs: the server reads it to
//!   `<link rel="preload">` the chunks of a lazy page it renders
//!   (leptos' `HydrationScripts` and `leptos_integration_utils`).
//!
//! The main module goes to `main_out`, for wasm-bindgen (with
//! `--keep-lld-exports`: the chunks import the main module's linker exports).

use anyhow::Context;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The module the chunks' loader imports `initSync` from: wasm-bindgen's glue,
/// beside it in `pkg`.
const MAIN_MODULE: &str = "./tresor.js";

/// The loader's name, exactly as leptos' `HydrationScripts` expects it when the
/// file names carry no content hash (it links it for preloading).
pub const LINK_NAME: &str = "__wasm_split.______________________.js";

/// Which chunks each lazy function needs, read by the server at start.
pub const MANIFEST: &str = "__wasm_split_manifest.json";

/// Splits `input` (a `--emit-relocs` build) into `main_out` and chunks in `pkg`;
/// returns the chunks' paths.
pub fn split(input: &Path, main_out: &Path, pkg: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let wasm = std::fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let link_name = format!("./{LINK_NAME}");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&wasm);
        options.output_dir = pkg;
        options.main_out_path = main_out;
        options.main_module = MAIN_MODULE;
        options.link_name = &link_name;
        options
    })
    .map_err(|error| anyhow::anyhow!("{error:#}"))
    .with_context(|| {
        format!(
            "splitting {} (was it linked with --emit-relocs?)",
            input.display()
        )
    })?;
    if split.split_modules.is_empty() {
        anyhow::bail!(
            "splitting {} made no chunk: no #[lazy] function reached the WASM",
            input.display()
        );
    }
    // Sorted, so that the same build writes the same file.
    let manifest: BTreeMap<String, Vec<String>> = split.prefetch_map.into_iter().collect();
    let manifest_path = pkg.join(MANIFEST);
    std::fs::write(&manifest_path, serde_json::to_string_pretty(&manifest)?)
        .with_context(|| format!("writing {}", manifest_path.display()))?;
    Ok(split.split_modules)
}
