//! `chiso lsp`: a language server over standard input and output.
//!
//! A thin front end like the CLI: diagnostics are the rule set loaded with
//! [`RuleSet::from_sources`](crate::RuleSet::from_sources) (the open documents' unsaved
//! text standing in for the disk), formatting is [`crate::format`], names come from the
//! parser's syntax trees ([`symbols`]). Built on `lsp-server` (synchronous, the
//! transport rust-analyzer uses); the reasons are in `ARCHITECTURE.md`.

pub mod features;
pub mod position;
pub mod symbols;
pub mod workspace;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeLensRequest, Completion, DocumentSymbolRequest, ExecuteCommand, Formatting, GotoDefinition,
    HoverRequest, References, Rename, Request as _,
};
use lsp_types::{
    CodeLensOptions, CompletionOptions, DiagnosticRelatedInformation, DiagnosticSeverity,
    ExecuteCommandOptions, OneOf, PublishDiagnosticsParams, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, Url,
};

use crate::diagnostic::{Diagnostic, Level};
use crate::source::Source;
use position::LineIndex;
use workspace::{Workspace, normalise};

/// Why the server stopped other than by `shutdown`/`exit`.
#[derive(Debug, thiserror::Error)]
pub enum LspError {
    /// The connection broke or a message was malformed.
    #[error("language server: {0}")]
    Protocol(String),
}

impl From<lsp_server::ProtocolError> for LspError {
    fn from(e: lsp_server::ProtocolError) -> Self {
        LspError::Protocol(e.to_string())
    }
}

/// The capabilities announced at `initialize`.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![" ".to_string(), "(".to_string()]),
            ..Default::default()
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![features::RUN_TESTS.to_string()],
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Serves on standard input and output until the client says `exit`.
pub fn run_stdio() -> Result<(), LspError> {
    let (connection, io) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io.join().map_err(|e| LspError::Protocol(e.to_string()))
}

/// Serves one client on `connection` (tests use [`Connection::memory`]).
pub fn serve(connection: &Connection) -> Result<(), LspError> {
    let caps =
        serde_json::to_value(capabilities()).map_err(|e| LspError::Protocol(e.to_string()))?;
    connection.initialize(caps)?;
    let mut server = Server {
        connection,
        workspace: Workspace::default(),
        published: HashMap::new(),
    };
    for message in &connection.receiver {
        match message {
            Message::Request(req) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(());
                }
                let response = server.request(req);
                server.send(Message::Response(response));
            }
            Message::Notification(n) => server.notification(n),
            Message::Response(_) => {}
        }
    }
    Ok(())
}

struct Server<'a> {
    connection: &'a Connection,
    workspace: Workspace,
    /// For each rule set (keyed by its first file): the files diagnostics were last
    /// published to, so that fixed files are cleared.
    published: HashMap<PathBuf, HashSet<PathBuf>>,
}

fn path_of(uri: &Url) -> Option<PathBuf> {
    uri.to_file_path().ok().map(|p| normalise(&p))
}

fn params<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("bad parameters: {e}"))
}

impl Server<'_> {
    fn send(&self, message: Message) {
        // A closed connection ends the receive loop; nothing else to do here.
        let _ = self.connection.sender.send(message);
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    fn notification(&mut self, n: Notification) {
        let opened = match n.method.as_str() {
            DidOpenTextDocument::METHOD => params::<lsp_types::DidOpenTextDocumentParams>(n.params)
                .ok()
                .map(|p| (p.text_document.uri, Some(p.text_document.text))),
            DidChangeTextDocument::METHOD => {
                params::<lsp_types::DidChangeTextDocumentParams>(n.params)
                    .ok()
                    .map(|p| {
                        let text = p.content_changes.into_iter().last().map(|c| c.text);
                        (p.text_document.uri, text)
                    })
            }
            DidSaveTextDocument::METHOD => params::<lsp_types::DidSaveTextDocumentParams>(n.params)
                .ok()
                .map(|p| (p.text_document.uri, None)),
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidCloseTextDocumentParams>(n.params)
                    && let Some(path) = path_of(&p.text_document.uri)
                {
                    self.workspace.close(&path);
                }
                None
            }
            _ => None,
        };
        if let Some((uri, text)) = opened
            && let Some(path) = path_of(&uri)
        {
            if let Some(text) = text {
                self.workspace.set(path.clone(), text);
            }
            self.publish(&path);
        }
    }

    /// Checks the rule set of `path` and publishes every file's diagnostics.
    fn publish(&mut self, path: &Path) {
        let analysis = self.workspace.analyse(path);
        let key = analysis
            .sources
            .first()
            .map_or_else(|| path.to_path_buf(), |s| PathBuf::from(&s.name));
        let mut files: HashSet<PathBuf> = analysis
            .sources
            .iter()
            .map(|s| PathBuf::from(&s.name))
            .collect();
        files.extend(analysis.diagnostics.keys().cloned());
        let before = self
            .published
            .insert(key, files.clone())
            .unwrap_or_default();
        for file in files.union(&before) {
            let Some(uri) = features::uri(file) else {
                continue;
            };
            let text = self.workspace.text(file).unwrap_or_default();
            let index = LineIndex::new(&text);
            let diagnostics = analysis
                .diagnostics
                .get(file)
                .map(|ds| ds.iter().map(|d| to_lsp(d, &index)).collect())
                .unwrap_or_default();
            self.notify::<PublishDiagnostics>(PublishDiagnosticsParams::new(
                uri,
                diagnostics,
                None,
            ));
        }
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        match self.answer(req) {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    fn answer(&mut self, req: Request) -> Result<serde_json::Value, (ErrorCode, String)> {
        let bad = |m: String| (ErrorCode::InvalidParams, m);
        let json = |v: Result<serde_json::Value, serde_json::Error>| {
            v.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        match req.method.as_str() {
            HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = params(req.params).map_err(bad)?;
                let (analysis, path, offset) =
                    self.locate(&p.text_document_position_params).map_err(bad)?;
                json(serde_json::to_value(features::hover(
                    &analysis, &path, offset,
                )))
            }
            GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = params(req.params).map_err(bad)?;
                let (analysis, path, offset) =
                    self.locate(&p.text_document_position_params).map_err(bad)?;
                json(serde_json::to_value(features::definition(
                    &analysis, &path, offset,
                )))
            }
            References::METHOD => {
                let p: lsp_types::ReferenceParams = params(req.params).map_err(bad)?;
                let (analysis, path, offset) =
                    self.locate(&p.text_document_position).map_err(bad)?;
                let all = p.context.include_declaration;
                json(serde_json::to_value(features::references(
                    &analysis, &path, offset, all,
                )))
            }
            Rename::METHOD => {
                let p: lsp_types::RenameParams = params(req.params).map_err(bad)?;
                let (analysis, path, offset) =
                    self.locate(&p.text_document_position).map_err(bad)?;
                let edit = features::rename(&analysis, &path, offset, &p.new_name)
                    .map_err(|m| (ErrorCode::RequestFailed, m))?;
                json(serde_json::to_value(edit))
            }
            Completion::METHOD => {
                let p: lsp_types::CompletionParams = params(req.params).map_err(bad)?;
                let (analysis, path, offset) =
                    self.locate(&p.text_document_position).map_err(bad)?;
                let text = self.workspace.text(&path).unwrap_or_default();
                let items = features::completion(&analysis, &text, offset, &[]);
                json(serde_json::to_value(items))
            }
            Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams = params(req.params).map_err(bad)?;
                let source = self.source(&p.text_document.uri).map_err(bad)?;
                json(serde_json::to_value(features::format(&source)))
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = params(req.params).map_err(bad)?;
                let source = self.source(&p.text_document.uri).map_err(bad)?;
                json(serde_json::to_value(features::symbols(&source)))
            }
            CodeLensRequest::METHOD => {
                let p: lsp_types::CodeLensParams = params(req.params).map_err(bad)?;
                let source = self.source(&p.text_document.uri).map_err(bad)?;
                json(serde_json::to_value(features::lenses(
                    &source,
                    &p.text_document.uri,
                )))
            }
            ExecuteCommand::METHOD => {
                let p: lsp_types::ExecuteCommandParams = params(req.params).map_err(bad)?;
                self.execute(p).map_err(bad)
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("`{other}` is not supported by chiso lsp"),
            )),
        }
    }

    /// `chiso.runTests [uri, test name?]`: the results, also shown as a message.
    fn execute(&mut self, p: lsp_types::ExecuteCommandParams) -> Result<serde_json::Value, String> {
        if p.command != features::RUN_TESTS {
            return Err(format!("unknown command `{}`", p.command));
        }
        let uri = p
            .arguments
            .first()
            .and_then(|a| a.as_str())
            .and_then(|u| Url::parse(u).ok())
            .ok_or("expected the document's URI as the first argument")?;
        let path = path_of(&uri).ok_or("not a file URI")?;
        let only = p.arguments.get(1).and_then(|a| a.as_str());
        let analysis = self.workspace.analyse(&path);
        let (lines, failed) = features::run_tests(&analysis, only);
        let summary = format!(
            "{} passed, {failed} failed\n{}",
            lines.len().saturating_sub(failed),
            lines.join("\n")
        );
        self.notify::<ShowMessage>(lsp_types::ShowMessageParams {
            typ: if failed == 0 {
                lsp_types::MessageType::INFO
            } else {
                lsp_types::MessageType::ERROR
            },
            message: summary.clone(),
        });
        Ok(serde_json::json!({ "failed": failed, "results": lines }))
    }

    fn source(&self, uri: &Url) -> Result<std::sync::Arc<Source>, String> {
        let path = path_of(uri).ok_or("not a file URI")?;
        let text = self
            .workspace
            .text(&path)
            .ok_or_else(|| format!("cannot read `{}`", path.display()))?;
        Ok(Source::new(path.display().to_string(), text))
    }

    fn locate(
        &self,
        at: &lsp_types::TextDocumentPositionParams,
    ) -> Result<(workspace::Analysis, PathBuf, usize), String> {
        let path = path_of(&at.text_document.uri).ok_or("not a file URI")?;
        let text = self
            .workspace
            .text(&path)
            .ok_or_else(|| format!("cannot read `{}`", path.display()))?;
        let offset = LineIndex::new(&text).offset(at.position);
        Ok((self.workspace.analyse(&path), path, offset))
    }
}

/// A library diagnostic as LSP publishes it: the same message, help lines below it, the
/// label and secondary places as related information.
pub fn to_lsp(d: &Diagnostic, index: &LineIndex<'_>) -> lsp_types::Diagnostic {
    let range = d
        .loc
        .as_ref()
        .map_or_else(lsp_types::Range::default, |l| index.range(l.range.clone()));
    let mut message = d.message.clone();
    for h in &d.help {
        message.push_str(&format!("\nhelp: {h}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|(loc, label)| {
            let other = LineIndex::new(&loc.source.text);
            Some(DiagnosticRelatedInformation {
                location: lsp_types::Location::new(
                    features::uri(Path::new(&loc.source.name))?,
                    other.range(loc.range.clone()),
                ),
                message: label.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range,
        severity: Some(match d.level {
            Level::Error => DiagnosticSeverity::ERROR,
            Level::Warning => DiagnosticSeverity::WARNING,
        }),
        source: Some("chiso".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}
