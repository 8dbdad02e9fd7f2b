//! juxta as users get it: the crate's package, the release archive, the installer, the release
//! notes and the container image's Dockerfile.
//!
//! - `cargo package --list` is pinned in `tests/package_list.txt` (`JUXTA_BLESS=1` rewrites it).
//! - The archive tests read the Linux archive that scripts/dist made, named by `JUXTA_DIST_ARCHIVE`
//!   (scripts/musl builds the static x86_64 one and sets it; .ci/run runs scripts/musl). Without it
//!   they say so and pass: building the archive takes minutes.
//! - scripts/install fetches that archive from a server on 127.0.0.1, as the GitHub Action fetches
//!   a release from GitHub.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::audit::{HADOLINT, hadolint, tools_ready};
use common::server::Server;

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

// ---------------------------------------------------------------------------------------------
// The crate's package

#[test]
fn the_package_holds_what_the_crate_needs_and_nothing_of_the_flagship_tests_or_benches() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["package", "--list", "--allow-dirty", "--locked", "--quiet"])
        .current_dir(repository())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "{}", stderr(&output));
    // `cargo package` adds the commit's record only in a git checkout.
    let listed: String =
        stdout(&output).lines().filter(|l| *l != ".cargo_vcs_info.json").map(|l| format!("{l}\n")).collect();
    let pinned = repository().join("tests/package_list.txt");
    if common::blessing() {
        std::fs::write(&pinned, &listed).unwrap();
    }
    assert_eq!(
        listed,
        std::fs::read_to_string(&pinned).unwrap(),
        "JUXTA_BLESS=1 rewrites {}",
        pinned.display()
    );
    for line in listed.lines() {
        assert!(
            !["tests/", "benches/", "bench/", "fuzz/", "data/", "examples/", ".github/"]
                .iter()
                .any(|prefix| line.starts_with(prefix)),
            "{line} is packaged"
        );
        assert!(!line.starts_with("content/") || line == "content/site-map.md", "{line} is packaged");
    }
}

// ---------------------------------------------------------------------------------------------
// The release archive

/// The archive named by `JUXTA_DIST_ARCHIVE`, or `None` (saying why) when the test cannot run.
fn archive(test: &str) -> Option<PathBuf> {
    match std::env::var_os("JUXTA_DIST_ARCHIVE") {
        Some(path) => {
            let path = repository().join(path);
            assert!(path.is_file(), "JUXTA_DIST_ARCHIVE names {}, which is not a file", path.display());
            Some(path)
        }
        None => {
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "skipped: {test}: JUXTA_DIST_ARCHIVE is not set (scripts/musl builds the archive and sets it)"
            );
            None
        }
    }
}

/// `juxta-x86_64-unknown-linux-musl` for `…/juxta-x86_64-unknown-linux-musl.tar.gz`.
fn folder_name(archive: &Path) -> String {
    archive.file_name().unwrap().to_str().unwrap().trim_end_matches(".tar.gz").to_string()
}

/// Unpacks `archive` into `into`; returns the archive's top folder there.
fn unpack(archive: &Path, into: &Path) -> PathBuf {
    let output = Command::new("tar").arg("-xzf").arg(archive).arg("-C").arg(into).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    into.join(folder_name(archive))
}

#[test]
fn the_archive_holds_the_binary_its_manual_pages_completions_and_documents() {
    let Some(archive) = archive("the_archive_holds_the_binary_its_manual_pages_completions_and_documents")
    else {
        return;
    };
    let output = Command::new("tar").arg("-tzf").arg(&archive).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let top = folder_name(&archive);
    let mut listed: Vec<String> = stdout(&output)
        .lines()
        .filter(|l| !l.ends_with('/'))
        .map(|l| {
            l.strip_prefix(&format!("{top}/")).unwrap_or_else(|| panic!("{l} is outside {top}/")).to_string()
        })
        .collect();
    listed.sort();
    let mut expected: Vec<String> = [
        "bin/juxta",
        "share/bash-completion/completions/juxta",
        "share/doc/juxta/CHANGELOG.md",
        "share/doc/juxta/README.md",
        "share/fish/vendor_completions.d/juxta.fish",
        "share/man/man1/juxta-build.1",
        "share/man/man1/juxta-check.1",
        "share/man/man1/juxta-init.1",
        "share/man/man1/juxta-serve.1",
        "share/man/man1/juxta.1",
        "share/zsh/site-functions/_juxta",
    ]
    .map(String::from)
    .to_vec();
    // The licence files, whichever the repository has.
    for entry in std::fs::read_dir(repository()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.starts_with("LICENSE") {
            expected.push(format!("share/doc/juxta/{name}"));
        }
    }
    expected.sort();
    assert_eq!(listed, expected);

    // The checksum beside it is sha256sum's line for it.
    let sums = std::fs::read_to_string(archive.with_extension("gz.sha256")).unwrap();
    let (hex, name) = sums.trim_end().split_once("  ").expect("`<hex>  <name>`");
    assert_eq!(name, archive.file_name().unwrap().to_str().unwrap());
    assert!(hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()), "{sums}");
}

/// Whether the ELF file at `path` asks for a dynamic loader (has a `PT_INTERP` program header).
fn needs_loader(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..4], b"\x7fELF", "{} is not an ELF file", path.display());
    assert_eq!(bytes[4], 2, "a 64-bit ELF file");
    assert_eq!(bytes[5], 1, "a little-endian ELF file");
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]) as usize;
    let offset = u64::from_le_bytes(bytes[0x20..0x28].try_into().unwrap()) as usize;
    let (size, count) = (u16_at(0x36), u16_at(0x38));
    (0..count).any(|i| {
        let at = offset + i * size;
        u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) == 3 // PT_INTERP
    })
}

/// The commit `git` says this checkout is at, to 12 digits, when it is one.
fn head_commit() -> Option<String> {
    let output = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(repository()).output().ok()?;
    output.status.success().then(|| stdout(&output).trim()[..12].to_string())
}

#[test]
fn the_static_binary_says_its_version_and_makes_builds_and_checks_a_new_site() {
    let Some(archive) = archive("the_static_binary_says_its_version_and_makes_builds_and_checks_a_new_site")
    else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let juxta = unpack(&archive, tmp.path()).join("bin/juxta");
    assert!(!needs_loader(&juxta), "{} is linked dynamically", juxta.display());

    let run = |args: &[&str]| {
        Command::new(&juxta)
            .args(args)
            .current_dir(tmp.path())
            .env("SOURCE_DATE_EPOCH", common::EPOCH)
            .env("TMPDIR", tmp.path())
            .output()
            .unwrap()
    };
    let version = run(&["--version"]);
    assert!(version.status.success(), "{}", stderr(&version));
    let expected = match head_commit() {
        Some(commit) => format!("juxta {} (commit {commit})\n", env!("CARGO_PKG_VERSION")),
        None => format!("juxta {}\n", env!("CARGO_PKG_VERSION")),
    };
    assert_eq!(stdout(&version), expected);

    let init = run(&["init", "site"]);
    assert!(init.status.success(), "{}", stderr(&init));
    assert!(stderr(&init).ends_with(juxta::init::PUBLISH_STEPS), "{}", stderr(&init));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("site/.github/workflows/pages.yml")).unwrap(),
        juxta::init::workflow()
    );
    let build = run(&["build", "--root", "site"]);
    assert!(build.status.success(), "{}", stderr(&build));
    let home = std::fs::read_to_string(tmp.path().join("site/public/index.html")).unwrap();
    assert!(home.contains("<table"), "the home page shows the comparison");
    let check = run(&["check", "--root", "site"]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(stderr(&check).trim_end().ends_with(": no problems"), "{}", stderr(&check));
}

#[test]
fn the_manual_pages_and_completions_are_made_from_the_command_line() {
    let Some(archive) = archive("the_manual_pages_and_completions_are_made_from_the_command_line") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let top = unpack(&archive, tmp.path());
    let read = |path: &str| std::fs::read_to_string(top.join(path)).unwrap();

    let page = read("share/man/man1/juxta.1");
    assert!(page.contains(".TH juxta 1"), "{page}");
    for command in ["build", "check", "init", "serve"] {
        assert!(page.contains(&format!("juxta\\-{command}(1)")), "juxta.1 lists {command}:\n{page}");
        let sub = read(&format!("share/man/man1/juxta-{command}.1"));
        assert!(sub.contains(&format!(".TH juxta-{command} 1")), "{sub}");
        assert!(
            sub.contains(&format!("\"juxta {}", env!("CARGO_PKG_VERSION"))),
            "the page names the version:\n{sub}"
        );
    }
    let build = read("share/man/man1/juxta-build.1");
    assert!(build.contains("\\-\\-base\\-url"), "{build}");
    // The packagers' command is left out of what users read.
    assert!(!page.contains("generate"), "{page}");

    let bash = top.join("share/bash-completion/completions/juxta");
    let syntax = Command::new("bash").arg("-n").arg(&bash).output().unwrap();
    assert!(syntax.status.success(), "{}", stderr(&syntax));
    let bash = read("share/bash-completion/completions/juxta");
    assert!(bash.contains("--base-url") && bash.contains("complete -F _juxta"), "{bash}");
    assert!(!bash.contains("generate"), "{bash}");
    assert!(read("share/zsh/site-functions/_juxta").starts_with("#compdef juxta"));
    assert!(read("share/fish/vendor_completions.d/juxta.fish").contains("complete -c juxta"));
}

// ---------------------------------------------------------------------------------------------
// scripts/install

/// A release folder as GitHub serves one (`v<version>/<archive>` and its checksum) holding the
/// archive, with the checksum file `sums` (the real one when `None`).
fn release(archive: &Path, sums: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let version = dir.path().join(format!("v{}", env!("CARGO_PKG_VERSION")));
    std::fs::create_dir(&version).unwrap();
    let name = archive.file_name().unwrap();
    std::fs::copy(archive, version.join(name)).unwrap();
    let sums = match sums {
        Some(text) => text.to_string(),
        None => std::fs::read_to_string(archive.with_extension("gz.sha256")).unwrap(),
    };
    std::fs::write(version.join(format!("{}.sha256", name.to_str().unwrap())), sums).unwrap();
    dir
}

fn install(server: &Server, args: &[&str]) -> Output {
    Command::new("bash")
        .arg(repository().join("scripts/install"))
        .args(args)
        .env("JUXTA_DOWNLOAD_BASE", server.base_url())
        .output()
        .unwrap()
}

/// The installer picks the archive of this machine; the tests have the Linux x86_64 one.
fn installable(archive: &Path) -> bool {
    cfg!(all(target_os = "linux", target_arch = "x86_64"))
        && folder_name(archive).ends_with("x86_64-unknown-linux-musl")
}

#[test]
fn install_fetches_the_release_checks_its_checksum_and_unpacks_it_into_the_prefix() {
    let Some(archive) =
        archive("install_fetches_the_release_checks_its_checksum_and_unpacks_it_into_the_prefix")
    else {
        return;
    };
    if !installable(&archive) {
        return;
    }
    let files = release(&archive, None);
    let server = Server::start(files.path(), "/");
    let prefix = tempfile::tempdir().unwrap();
    let prefix = prefix.path().join("local");
    let output =
        install(&server, &["--version", env!("CARGO_PKG_VERSION"), "--prefix", prefix.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let binary = prefix.join("bin/juxta");
    assert_eq!(stdout(&output), format!("{}\n", binary.display()));
    assert!(
        stderr(&output).starts_with(&format!("juxta install: installed juxta {}", env!("CARGO_PKG_VERSION")))
    );
    assert!(prefix.join("share/man/man1/juxta.1").is_file());
    let version = Command::new(&binary).arg("--version").output().unwrap();
    assert!(stdout(&version).starts_with(&format!("juxta {}", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn install_refuses_an_archive_that_does_not_match_its_checksum_and_installs_nothing() {
    let Some(archive) =
        archive("install_refuses_an_archive_that_does_not_match_its_checksum_and_installs_nothing")
    else {
        return;
    };
    if !installable(&archive) {
        return;
    }
    let name = archive.file_name().unwrap().to_str().unwrap().to_string();
    let wrong = format!("{}  {name}\n", "0".repeat(64));
    let files = release(&archive, Some(&wrong));
    let server = Server::start(files.path(), "/");
    let prefix = tempfile::tempdir().unwrap();
    let prefix = prefix.path().join("local");
    let output = install(&server, &["--prefix", prefix.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!("{name} does not match its checksum (expected {}", "0".repeat(64))),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).trim_end().ends_with("nothing was installed"), "{}", stderr(&output));
    assert!(!prefix.exists(), "nothing is written into the prefix");

    // A version that has no release is named, with the way out.
    let output = install(&server, &["--version", "99.0.0", "--prefix", prefix.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("juxta 99.0.0 may have no release for x86_64-unknown-linux-musl"),
        "{}",
        stderr(&output)
    );
    assert!(!prefix.exists());
}

/// The installer in a tree of its own, beside a Cargo.toml with `package`'s text.
fn installer_beside(package: &str) -> (tempfile::TempDir, PathBuf) {
    let tree = tempfile::tempdir().unwrap();
    std::fs::create_dir(tree.path().join("scripts")).unwrap();
    let script = tree.path().join("scripts/install");
    std::fs::copy(repository().join("scripts/install"), &script).unwrap();
    let manifest = format!("[package]\nname = \"juxta\"\n{package}\n[dependencies]\nversion = \"9.9.9\"\n");
    std::fs::write(tree.path().join("Cargo.toml"), manifest).unwrap();
    (tree, script)
}

#[test]
fn install_takes_the_version_and_repository_from_its_cargo_toml_and_refuses_the_placeholder() {
    let install = |script: &Path, base: Option<&str>| {
        let mut command = Command::new("bash");
        command.arg(script).args(["--prefix", "/nonexistent/juxta"]).env_remove("JUXTA_DOWNLOAD_BASE");
        if let Some(base) = base {
            command.env("JUXTA_DOWNLOAD_BASE", base);
        }
        command.output().unwrap()
    };
    let (_tree, script) =
        installer_beside("version = \"0.7.3\"\nrepository = \"https://github.com/JUXTA_OWNER/juxta\"");
    let output = install(&script, None);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "names no real repository yet (JUXTA_OWNER is a placeholder); see docs/distribution.md"
        ),
        "{}",
        stderr(&output)
    );
    let (_tree, script) = installer_beside("version = \"0.7.3\"\nrepository = \"https://example.com/juxta\"");
    let output = install(&script, None);
    assert!(
        stderr(&output).contains("is not a GitHub address: https://example.com/juxta"),
        "{}",
        stderr(&output)
    );

    // The version is the package's (not the one under [dependencies]); nothing is served here.
    let empty = tempfile::tempdir().unwrap();
    let server = Server::start(empty.path(), "/");
    let output = install(&script, Some(&server.base_url()));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(&format!("cannot download {}v0.7.3/juxta-", server.base_url())),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("juxta 0.7.3 may have no release for"), "{}", stderr(&output));
}

// ---------------------------------------------------------------------------------------------
// Release notes

#[test]
fn release_notes_are_the_changelog_section_of_the_version() {
    let tmp = tempfile::tempdir().unwrap();
    let changelog = tmp.path().join("CHANGELOG.md");
    std::fs::write(
        &changelog,
        "# Changelog\n\nIntro.\n\n## Unreleased\n\n- next\n\n## [0.2.0] - 2027-01-02\n\n- two\n- `## not a heading`\n\n## 0.1.0\n\n- one\n",
    )
    .unwrap();
    let notes = |version: &str| {
        Command::new("bash")
            .arg(repository().join("scripts/release-notes"))
            .arg(version)
            .arg(&changelog)
            .output()
            .unwrap()
    };
    let two = notes("v0.2.0");
    assert!(two.status.success(), "{}", stderr(&two));
    assert_eq!(stdout(&two), "- two\n- `## not a heading`\n");
    assert_eq!(stdout(&notes("0.1.0")), "- one\n");
    let missing = notes("0.3.0");
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("has no notes for 0.3.0: add a section headed `## 0.3.0`"),
        "{}",
        stderr(&missing)
    );
}

// ---------------------------------------------------------------------------------------------
// The container image

#[test]
fn the_dockerfile_passes_hadolint_and_copies_what_the_release_workflow_lays_out() {
    let dockerfile = repository().join("packaging/Dockerfile");
    let text = std::fs::read_to_string(&dockerfile).unwrap();
    assert!(text.contains("COPY --chmod=0755 ${TARGETARCH}/juxta /usr/local/bin/juxta"), "{text}");
    let workflow = std::fs::read_to_string(repository().join(".github/workflows/release.yml")).unwrap();
    for needed in [
        "-C image/amd64",
        "-C image/arm64",
        "--file packaging/Dockerfile",
        "--platform linux/amd64,linux/arm64",
    ] {
        assert!(workflow.contains(needed), "release.yml lacks `{needed}`");
    }
    if !tools_ready("the_dockerfile_passes_hadolint_and_copies_what_the_release_workflow_lays_out", HADOLINT)
    {
        return;
    }
    let output = Command::new(hadolint()).args(["--format", "json"]).arg(&dockerfile).output().unwrap();
    assert_eq!(stdout(&output).trim(), "[]", "{}", stderr(&output));
    assert!(output.status.success());

    // And it does report a Dockerfile that breaks its rules.
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("Dockerfile");
    std::fs::write(&bad, "FROM busybox\nADD juxta /juxta\n").unwrap();
    let output = Command::new(hadolint()).args(["--format", "json"]).arg(&bad).output().unwrap();
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let codes: Vec<&str> = findings.iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["DL3006", "DL3020"], "{findings:#?}");
}

// ---------------------------------------------------------------------------------------------
// The project's address

/// `repository` in Cargo.toml is the one place that names the project's GitHub repository; the
/// README, the docs and the flagship site that repeat it must follow it (docs/distribution.md says
/// so).
#[test]
fn the_readme_and_docs_name_the_repository_of_cargo_toml() {
    let expected = env!("CARGO_PKG_REPOSITORY");
    let slug = expected.strip_prefix("https://github.com/").expect("a GitHub address");
    // The site's edit links (site.toml) and the about page's build instructions name it too.
    let mut files = vec![repository().join("README.md"), repository().join("site.toml")];
    for folder in ["docs", "content"] {
        for entry in std::fs::read_dir(repository().join(folder)).unwrap() {
            let path = entry.unwrap().path();
            // Files only: content/ also holds a folder of images.
            if path.is_file() {
                files.push(path);
            }
        }
    }
    let mut seen = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (at, _) in text.match_indices("github.com/") {
            let rest = &text[at + "github.com/".len()..];
            let end = rest.find(|c: char| !(c.is_alphanumeric() || "-_/".contains(c))).unwrap_or(rest.len());
            let path = &rest[..end];
            if path.split('/').nth(1) == Some("juxta") {
                seen += 1;
                assert!(
                    path.starts_with(&format!("{slug}/")) || path == slug,
                    "{} names {path}",
                    file.display()
                );
            }
        }
    }
    assert!(seen >= 4, "the README and docs/distribution.md give the address");
}
