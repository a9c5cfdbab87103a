//! How `chiso` talks to a terminal: `--color`, `NO_COLOR`, `--quiet`, error lines,
//! diagnostics, progress bars.

use std::fmt::Display;
use std::io::IsTerminal;

use chiso::{Diagnostic, LoadError};
use clap::ValueEnum;

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour when standard error is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// What the user asked of the terminal.
#[derive(Clone, Copy, Debug)]
pub struct Term {
    /// Diagnostics and error lines in colour.
    pub colour: bool,
    /// No progress bars and no status lines.
    pub quiet: bool,
}

impl Term {
    /// From `--color` and `--quiet`, the environment and whether standard error is a
    /// terminal.
    pub fn new(when: ColorWhen, quiet: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let colour = match when {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => !no_color && std::io::stderr().is_terminal(),
        };
        Self { colour, quiet }
    }

    /// `error: message` on standard error.
    pub fn error(&self, message: impl Display) {
        if self.colour {
            eprintln!("\x1b[1;31merror\x1b[0m\x1b[1m:\x1b[0m {message}");
        } else {
            eprintln!("error: {message}");
        }
    }

    /// A diagnostic, rendered like rustc, on standard error.
    pub fn diagnostic(&self, d: &Diagnostic) {
        eprint!("{}", d.render_with(self.colour));
    }

    /// Why a rule set could not be loaded.
    pub fn load_error(&self, e: &LoadError) {
        match e {
            LoadError::Invalid { diagnostics } => {
                for d in diagnostics {
                    self.diagnostic(d);
                }
            }
            other => self.error(other),
        }
    }

    /// A progress bar of `total` steps on standard error: hidden with `--quiet` or when
    /// standard error is not a terminal.
    pub fn bar(&self, total: u64, what: &str) -> indicatif::ProgressBar {
        if self.quiet {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta} left)")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_string());
        bar
    }

    /// A spinner with a message on standard error, ticking by itself: for work whose
    /// length is not known (reading large data files). Hidden like [`Term::bar`].
    pub fn spinner(&self, what: String) -> indicatif::ProgressBar {
        if self.quiet {
            return indicatif::ProgressBar::hidden();
        }
        let spinner =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            spinner.set_style(style);
        }
        spinner.set_message(what);
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        spinner
    }
}
