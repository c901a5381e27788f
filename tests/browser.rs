//! The report in a real browser: runs `tests/browser/report_screenshot.sh` (headless Chromium
//! renders report.html; the DOM must hold every chart's <svg>, the screenshot must not be blank).
//!
//! Opt-in, as it installs Chromium where missing and takes a while:
//! `CARTSHIFT_BROWSER_TEST=1 cargo test --test browser`. CI runs the script directly, on the
//! scenario's full settings (`.ci/run`).

use std::process::Command;

#[test]
fn report_renders_in_a_real_browser() {
    if std::env::var("CARTSHIFT_BROWSER_TEST").as_deref() != Ok("1") {
        eprintln!("skipped: set CARTSHIFT_BROWSER_TEST=1 to render the report in headless Chromium");
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let status = Command::new("bash")
        .arg(format!("{root}/tests/browser/report_screenshot.sh"))
        .env("CARTSHIFT_BIN", assert_cmd::cargo::cargo_bin!("cartshift"))
        .env("CARTSHIFT_REPORT_ARGS", "--households 3000 --replications 4")
        .status()
        .expect("bash runs the browser test script");
    assert!(status.success(), "the browser test failed; see its output above");
}
