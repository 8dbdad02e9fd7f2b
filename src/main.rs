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
    /// Serves the site from memory on 127.0.0.1, rebuilding and reloading pages as files change.
    Serve(ServeArgs),
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => build(args),
        Command::Serve(args) => serve::run(args),
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
            }
        }
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
                let mut changed = rebuilt.changed.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
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

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
