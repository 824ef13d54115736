//! Every input a fuzz target (`fuzz/`) once failed on, replayed through
//! the same harness: `fuzz/regressions/TARGET/NAME` runs target TARGET on
//! the bytes of NAME, which must now read or fail with a clean error (no
//! panic, no internal error, row counts that add up, one and two threads
//! agreeing). As in the fuzz build, files split between threads from 256
//! bytes on (`SERVGAP_SPLIT_BYTES`), so the multi-threaded paths run.

#[path = "../../../fuzz/src/lib.rs"]
#[allow(missing_docs)]
mod harness;

use std::path::Path;

#[test]
fn every_input_the_fuzzers_failed_on_now_reads_or_fails_cleanly() {
    // before the first read: the threshold is read once (this test binary
    // holds no other test)
    std::env::set_var("SERVGAP_SPLIT_BYTES", "256");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut replayed = 0;
    let Ok(targets) = std::fs::read_dir(&root) else {
        panic!("no folder {}", root.display());
    };
    for target in targets.flatten() {
        let name = target.file_name().to_string_lossy().into_owned();
        assert!(
            harness::TARGETS.contains(&name.as_str()),
            "fuzz/regressions/{name}: not a fuzz target"
        );
        for input in std::fs::read_dir(target.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let bytes = match std::fs::read(input.path()) {
                Ok(b) => b,
                Err(e) => panic!("{}: {e}", input.path().display()),
            };
            assert!(harness::run(&name, &bytes));
            replayed += 1;
        }
    }
    assert!(replayed >= 3, "only {replayed} inputs replayed");
}
