//! The `juxta` command: parses arguments, calls the library, prints errors once, sets the exit
//! code (0 success, 1 the site has an error, 2 bad usage or environment).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use juxta::error::Kind;
use juxta::{Flavour, Options};

#[derive(Parser)]
#[command(name = "juxta", version, about = "Builds comparison-driven documentation sites")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Builds the site into the output folder.
    Build(BuildArgs),
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    stop_on_signals();
    match cli.command {
        Command::Build(args) => build(args),
    }
}

fn build(args: BuildArgs) -> ExitCode {
    let started = Instant::now();
    let options = Options {
        root: args.root,
        out: args.out,
        base_url: args.base_url,
        flavour: if args.offline { Flavour::Offline } else { Flavour::Web },
        drafts: args.drafts,
        zip: args.zip,
    };
    match juxta::build(&options) {
        Ok(report) => {
            if !args.quiet {
                let plural =
                    |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
                eprintln!(
                    "juxta: built {} and {} into {} in {:.2} s",
                    plural(report.pages, "page", "pages"),
                    plural(report.files, "other file", "other files"),
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
            eprintln!("juxta: interrupted; the previous output is unchanged");
            ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("{e}");
            let count = e.errors().len().max(1);
            eprintln!(
                "juxta: the build failed with {count} error{}; the previous output is unchanged",
                if count == 1 { "" } else { "s" }
            );
            match e.kind() {
                Kind::Site => ExitCode::from(1),
                Kind::Environment => ExitCode::from(2),
                Kind::Interrupted => ExitCode::from(130),
            }
        }
    }
}

/// Ctrl-C (SIGINT), SIGTERM and SIGHUP ask the build to stop: it removes its staging folder and
/// exits with code 130, leaving the previous output as it was. A second signal exits at once.
fn stop_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        // The shutdown is registered first, so that it fires only from the second signal on.
        let _ = signal_hook::flag::register_conditional_shutdown(signal, 130, &juxta::guard::INTERRUPTED);
        let _ = signal_hook::flag::register(signal, &juxta::guard::INTERRUPTED);
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
