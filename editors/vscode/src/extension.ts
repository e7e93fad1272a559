// Starts `gklint lsp` for plain-text (.txt) and Markdown (.md) reports.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/** The server's settings: `gklint check`'s --config and --pack, plugins (trusted ones only load), the docs link base. */
function serverSettings(): {
  config: string;
  packs: string[];
  plugins: string[];
  docsUrl: string;
  debounceMs: number;
} {
  const c = vscode.workspace.getConfiguration("gklint");
  return {
    config: c.get<string>("config", ""),
    packs: c.get<string[]>("packs", []),
    plugins: c.get<string[]>("plugins", []),
    docsUrl: c.get<string>("docsUrl", ""),
    debounceMs: c.get<number>("debounceMs", 150),
  };
}

function createClient(): LanguageClient {
  const command = vscode.workspace.getConfiguration("gklint").get<string>("path", "gklint");
  const serverOptions: ServerOptions = {
    run: { command, args: ["lsp"] },
    debug: { command, args: ["lsp"] },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", pattern: "**/*.txt" },
      { scheme: "file", pattern: "**/*.md" },
      { scheme: "untitled", language: "markdown" },
    ],
    initializationOptions: serverSettings(),
    // Sends workspace/didChangeConfiguration with { gklint: {...} } when settings change.
    // Configuration and pack files are watched by the server's own registration.
    synchronize: { configurationSection: "gklint" },
    outputChannelName: "gklint",
  };
  return new LanguageClient("gklint", "gklint", serverOptions, clientOptions);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  client = createClient();
  context.subscriptions.push(
    vscode.commands.registerCommand("gklint.restart", async () => {
      if (client) {
        await client.stop();
      }
      client = createClient();
      await client.start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("gklint.path")) {
        await vscode.commands.executeCommand("gklint.restart");
      }
    }),
  );
  try {
    await client.start();
  } catch (err) {
    void vscode.window.showErrorMessage(
      `无法启动 gklint lsp：${String(err)}。请安装 gklint（cargo install --locked --path cli）或设置 gklint.path。`,
    );
  }
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
    client = undefined;
  }
}
