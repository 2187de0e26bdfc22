//! Stamps a build id into the page: it goes on the worker's URL so a browser never runs a stale
//! worker after an update (trunk does not hash worker file names).
fn main() {
    for dir in [
        "src",
        "../vae-worker/src",
        "../vae-core/src",
        "../vae-protocol/src",
    ] {
        println!("cargo:rerun-if-changed={dir}");
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    println!("cargo:rustc-env=VAE_BUILD_ID={secs}");
}
