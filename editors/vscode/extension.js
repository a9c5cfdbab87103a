// The client side of the chiso language server: starts `chiso lsp` on standard input and
// output for every `.chiso` file. All language knowledge is in the server (the chiso
// library); this file only starts it.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("chiso").get("server.path") || "chiso";
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "chiso",
    "chiso language server",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "chiso" }] }
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
