//! The `juxta` command: parses arguments, calls the library, prints errors once, sets the exit
//! code (0 success, 1 the site has an error, 2 bad usage or environment).

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use juxta::check::{CheckOptions, external};
use juxta::error::Kind;
use juxta::progress::{Display, Progress};
use juxta::{Flavour, Options};

#[derive(Parser)]
#[command(name = "juxta", version = env!("JUXTA_VERSION"), about = "Builds comparison-driven documentation sites")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Builds the site into the output folder.
    Build(BuildArgs),
    /// Builds the site in both flavours (in private folders) and checks every link, anchor, id and
    /// asset of the output; exits with 1 when anything is wrong.
    Check(CheckArgs),
    /// Writes a new site (the flagship theme, a page and a comparison dataset) into DIR.
    Init(InitArgs),
    /// Serves the site from memory on 127.0.0.1, rebuilding and reloading pages as files change.
    Serve(ServeArgs),
    /// Prints shell completions or writes manual pages, made from this command line (for
    /// packagers; the release archives hold both).
    #[command(hide = true)]
    Generate {
        #[command(subcommand)]
        what: generate::What,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// The project folder, holding site.toml.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// The address to listen on; anything but a loopback address exposes the site to the network.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// Includes pages marked as drafts.
    #[arg(long)]
    drafts: bool,
}

#[derive(Args)]
struct BuildArgs {
    /// The project folder, holding site.toml.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// The output folder [default: ROOT/public].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replaces base_url from site.toml (for example the address GitHub Pages gives).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Builds for opening from disk: links to pages end in index.html.
    #[arg(long)]
    offline: bool,
    /// Also packs an offline build into this zip file (built in a temporary folder unless --out
    /// is given).
    #[arg(long, value_name = "FILE")]
    zip: Option<PathBuf>,
    /// Includes pages marked as drafts.
    #[arg(long)]
    drafts: bool,
    /// Prints nothing on success.
    #[arg(long, short)]
    quiet: bool,
    /// Prints more about the build.
    #[arg(long, short, conflicts_with = "quiet")]
    verbose: bool,
}

#[derive(Args)]
struct CheckArgs {
    /// The project folder, holding site.toml.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Replaces base_url from site.toml.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Includes pages marked as drafts.
    #[arg(long)]
    drafts: bool,
    /// Also requests every link to another site (HEAD, then GET).
    #[arg(long)]
    external: bool,
    /// Seconds one external request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, requires = "external")]
    timeout: f64,
    /// Further tries of an external link after a timeout, a failed connection, 429 or 502-504.
    #[arg(long, value_name = "N", default_value_t = 2, requires = "external")]
    retries: u32,
    /// External requests at once, in all.
    #[arg(long, value_name = "N", default_value_t = 8, requires = "external")]
    concurrency: usize,
    /// External requests at once to one host.
    #[arg(long, value_name = "N", default_value_t = 2, requires = "external")]
    per_host: usize,
    /// Fails (exit code 1) on comparison sources older than their max_age and on values
    /// missing a required source, which are otherwise reported without failing.
    #[arg(long)]
    strict: bool,
    /// Prints only the problems.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct InitArgs {
    /// The folder of the new site; created when missing, refused when not empty.
    dir: PathBuf,
}

/// What an interrupted build leaves: the previous output, unless the new one was in place when
/// the build was stopped (packing the zip, removing the previous output).
fn build_interrupted() -> &'static str {
    match juxta::guard::SWAPPED.load(std::sync::atomic::Ordering::SeqCst) {
        false => "the previous output is unchanged",
        true => "the new output was in place already",
    }
}

/// What an interrupted check leaves.
fn check_interrupted() -> &'static str {
    "the check did not finish"
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        // serve stops on signals itself (it closes its connections and exits 0).
        Command::Build(args) => {
            stop_on_signals(build_interrupted);
            build(args)
        }
        Command::Check(args) => {
            stop_on_signals(check_interrupted);
            check(args)
        }
        Command::Init(args) => init(args),
        Command::Serve(args) => serve::run(args),
        Command::Generate { what } => generate::run(what),
    }
}

/// An enabled progress handle and its display when stderr is a terminal and output is wanted;
/// a silent handle otherwise.
fn progress(quiet: bool) -> (Progress, Option<Display>) {
    if quiet || !std::io::stderr().is_terminal() {
        return (Progress::default(), None);
    }
    // JUXTA_PROGRESS_DELAY_MS shortens the wait before progress appears (for tests of it).
    let delay = std::env::var("JUXTA_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(juxta::progress::DELAY, Duration::from_millis);
    let progress = Progress::enabled();
    let display = Display::start(&progress, delay);
    (progress, Some(display))
}

/// `3 pages`, `1 page`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What a build or check covered: `12 pages and 30 other files`.
fn counted(pages: usize, files: usize) -> String {
    format!("{} and {}", plural(pages, "page", "pages"), plural(files, "other file", "other files"))
}

fn exit_code(kind: Kind) -> ExitCode {
    match kind {
        Kind::Site => ExitCode::from(1),
        Kind::Environment => ExitCode::from(2),
        Kind::Interrupted => ExitCode::from(130),
    }
}

fn build(args: BuildArgs) -> ExitCode {
    let started = Instant::now();
    let (progress, display) = progress(args.quiet);
    let options = Options {
        root: args.root,
        out: args.out,
        base_url: args.base_url,
        flavour: if args.offline { Flavour::Offline } else { Flavour::Web },
        drafts: args.drafts,
        zip: args.zip,
        progress,
    };
    let result = juxta::build(&options);
    if let Some(display) = display {
        display.finish();
    }
    match result {
        Ok(report) => {
            for warning in &report.warnings {
                eprintln!("juxta: warning: {warning}");
            }
            if !args.quiet {
                eprintln!(
                    "juxta: built {} into {} in {:.2} s",
                    counted(report.pages, report.files),
                    report.out.display(),
                    started.elapsed().as_secs_f64()
                );
            }
            if args.verbose {
                for (phase, took) in &report.phases {
                    eprintln!("  {:>8.3} s  {phase}", took.as_secs_f64());
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == Kind::Interrupted => {
            say_interrupted(build_interrupted());
            ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("{e}");
            let count = e.errors().len().max(1);
            eprintln!(
                "juxta: the build failed with {count} error{}; the previous output is unchanged",
                if count == 1 { "" } else { "s" }
            );
            exit_code(e.kind())
        }
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let started = Instant::now();
    let (progress, display) = progress(args.quiet);
    let external = args.external.then(|| external::Settings {
        timeout: Duration::from_secs_f64(args.timeout.max(0.001)),
        retries: args.retries,
        concurrency: args.concurrency,
        per_host: args.per_host,
        ..external::Settings::default()
    });
    let options = CheckOptions {
        root: args.root,
        base_url: args.base_url,
        drafts: args.drafts,
        external,
        progress,
        strict: args.strict,
    };
    let result = juxta::check::check(&options);
    if let Some(display) = display {
        display.finish();
    }
    let report = match result {
        Ok(report) => report,
        Err(e) if e.kind() == Kind::Interrupted => {
            say_interrupted(check_interrupted());
            return ExitCode::from(130);
        }
        Err(e) => {
            eprintln!("{e}");
            eprintln!("juxta: the check could not run");
            return exit_code(e.kind());
        }
    };
    for problem in &report.problems {
        eprintln!("{problem}");
    }
    for notice in &report.notices {
        eprintln!("{notice}");
    }
    let notices = match report.notices.len() {
        0 => String::new(),
        n if report.strict => {
            format!("; {} about sources, counted as problems (strict)", plural(n, "notice", "notices"))
        }
        n => {
            format!("; {} about sources, not counted (--strict counts them)", plural(n, "notice", "notices"))
        }
    };
    let external = match report.external_links {
        0 if options.external.is_none() => String::new(),
        n => format!(" and {}", plural(n, "external link", "external links")),
    };
    let covered = format!("{}{external}, web and offline,", counted(report.pages, report.files));
    let seconds = started.elapsed().as_secs_f64();
    if report.problems.is_empty() && (report.notices.is_empty() || !report.strict) {
        if !args.quiet {
            eprintln!("juxta: checked {covered} in {seconds:.2} s: no problems{notices}");
        }
        ExitCode::SUCCESS
    } else if report.problems.is_empty() {
        eprintln!("juxta: checked {covered} in {seconds:.2} s: no problems{notices}");
        ExitCode::from(1)
    } else {
        let count = plural(report.problems.len(), "problem", "problems");
        if report.pages == 0 {
            eprintln!("juxta: the check found {count} in {seconds:.2} s: the site does not build");
        } else {
            eprintln!("juxta: the check found {count} in {covered} in {seconds:.2} s{notices}");
        }
        ExitCode::from(1)
    }
}

fn init(args: InitArgs) -> ExitCode {
    match juxta::init::init(&args.dir) {
        Ok(report) => {
            eprintln!(
                "juxta: wrote a new site of {} into {}; `juxta build --root {}` builds it",
                plural(report.files, "file", "files"),
                report.dir.display(),
                report.dir.display()
            );
            eprint!("{}", juxta::init::PUBLISH_STEPS);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            exit_code(e.kind())
        }
    }
}

mod generate {
    //! `juxta generate`: completions and manual pages, made from the command line defined above.

    use std::path::PathBuf;
    use std::process::ExitCode;

    use clap::{CommandFactory as _, Subcommand};

    #[derive(Subcommand)]
    pub(crate) enum What {
        /// Prints the completion script for SHELL on stdout.
        Completions {
            #[arg(value_enum)]
            shell: clap_complete::Shell,
        },
        /// Writes juxta.1 and a page for each command (juxta-build.1, …) into DIR, created if missing.
        Man { dir: PathBuf },
    }

    pub(crate) fn run(what: What) -> ExitCode {
        let command = shown(super::Cli::command());
        match what {
            What::Completions { shell } => {
                clap_complete::generate(shell, &mut command.clone(), "juxta", &mut std::io::stdout());
                ExitCode::SUCCESS
            }
            What::Man { dir } => {
                if let Err(e) = man_pages(command, &dir) {
                    eprintln!("cannot write manual pages into `{}`: {e}", dir.display());
                    return ExitCode::from(2);
                }
                ExitCode::SUCCESS
            }
        }
    }

    /// The command line as users see it: `full` without its hidden commands, which clap_complete
    /// would otherwise complete.
    fn shown(full: clap::Command) -> clap::Command {
        let commands: Vec<clap::Command> =
            full.get_subcommands().filter(|c| !c.is_hide_set()).cloned().collect();
        let mut shown = clap::Command::new("juxta")
            .version(env!("JUXTA_VERSION"))
            .subcommand_required(true)
            .args(full.get_arguments().cloned())
            .subcommands(commands);
        if let Some(about) = full.get_about() {
            shown = shown.about(about.clone());
        }
        shown
    }

    /// juxta.1, then juxta-build.1 and the others, each saying the version (a subcommand has
    /// none of its own).
    fn man_pages(mut command: clap::Command, dir: &std::path::Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        command = command.disable_help_subcommand(true);
        command.build();
        let commands = command.get_subcommands().cloned().collect::<Vec<_>>();
        for page in std::iter::once(command).chain(commands) {
            clap_mangen::Man::new(page)
                .source(concat!("juxta ", env!("JUXTA_VERSION")))
                .manual("juxta manual")
                .generate_to(dir)?;
        }
        Ok(())
    }
}

mod serve {
    //! `juxta serve`: prints what the server reports.

    use std::process::ExitCode;

    use juxta::error::Kind;
    use juxta::serve::{Notice, ServeOptions};

    pub(crate) fn run(args: super::ServeArgs) -> ExitCode {
        let options = ServeOptions { root: args.root, bind: args.bind, port: args.port, drafts: args.drafts };
        match juxta::serve::run(&options, &print) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(if e.kind() == Kind::Environment { 2 } else { 1 })
            }
        }
    }

    fn print(notice: Notice<'_>) {
        match notice {
            Notice::Listening { url, exposed } => {
                if exposed {
                    eprintln!(
                        "juxta: warning: listening on an address other machines can reach; the development \
                         server is meant for this machine only"
                    );
                }
                eprintln!("juxta: serving {url} (Ctrl-C stops)");
            }
            Notice::Built(rebuilt) if rebuilt.changed.is_empty() => {
                eprintln!("juxta: built {} pages in {:.2} s", rebuilt.pages, rebuilt.took.as_secs_f64());
            }
            Notice::Built(rebuilt) => {
                // Names from the file system, printed as errors print them.
                let mut changed = rebuilt
                    .changed
                    .iter()
                    .take(3)
                    .map(|name| juxta::error::printable(name).into_owned())
                    .collect::<Vec<_>>()
                    .join(", ");
                if rebuilt.changed.len() > 3 {
                    changed.push_str(&format!(" and {} more", rebuilt.changed.len() - 3));
                }
                eprintln!(
                    "juxta: {changed} changed: rendered {} of {} pages in {} ms",
                    rebuilt.rendered,
                    rebuilt.pages,
                    rebuilt.took.as_millis()
                );
            }
            Notice::Failed { error, served } => {
                eprintln!("{error}");
                let count = error.errors().len().max(1);
                let errors = if count == 1 { "1 error".to_string() } else { format!("{count} errors") };
                if served {
                    eprintln!("juxta: the build failed with {errors}; still serving the last good build");
                } else {
                    eprintln!("juxta: the build failed with {errors}; pages show it until it is fixed");
                }
            }
            Notice::Watch(error) => eprintln!("juxta: warning: {error}"),
            Notice::Stopped => eprintln!("juxta: stopped"),
        }
    }
}

/// How long a stop request is given to be honoured before the process ends on its own.
const GRACE: Duration = Duration::from_millis(500);

/// Ctrl-C (SIGINT), SIGTERM and SIGHUP ask the build (or check) to stop: it notices before its
/// next page or file, removes its staging folder and exits with code 130, leaving the previous
/// output as it was. `after` says what the run leaves, to end the message that says so.
///
/// A template that loops without writing or calling anything of juxta's never looks, and Tera
/// cannot be stopped from outside; so if the process has not ended [`GRACE`] after the request
/// (or at a second request), this thread removes the run's temporary folders itself (the library
/// tracks them, and holds a swap of the output until it is done) and ends the process.
#[cfg(unix)]
fn stop_on_signals(after: fn() -> &'static str) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if signals.forever().next().is_none() {
            return;
        }
        juxta::guard::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
        let deadline = Instant::now() + GRACE;
        while Instant::now() < deadline && signals.pending().next().is_none() {
            std::thread::sleep(Duration::from_millis(10));
        }
        juxta::guard::remove_temporary();
        say_interrupted(after());
        std::process::exit(130);
    });
}

/// Windows has neither SIGHUP nor signal_hook's signal iterator: Ctrl-C only asks the build to
/// stop before its next page or file, and a second one ends the process at once.
#[cfg(not(unix))]
fn stop_on_signals(_after: fn() -> &'static str) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    for signal in [SIGINT, SIGTERM] {
        // The shutdown is registered first, so that it fires only from the second signal on.
        let _ = signal_hook::flag::register_conditional_shutdown(signal, 130, &juxta::guard::INTERRUPTED);
        let _ = signal_hook::flag::register(signal, &juxta::guard::INTERRUPTED);
    }
}

/// Says once that the run was interrupted, whichever of the run and the signal thread gets there
/// first.
fn say_interrupted(after: &str) {
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        // A progress line the run had no time to erase is erased first.
        let erase = if std::io::stderr().is_terminal() { "\r\x1b[2K" } else { "" };
        eprintln!("{erase}juxta: interrupted; {after}");
    });
}

/// mimalloc: a build allocates and frees many short strings on every thread at once.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
