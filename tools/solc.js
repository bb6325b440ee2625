#!/usr/bin/env node
// A native-solc-compatible command line over the npm `solc` package (solc-js, wasm).
// py-solc-x and Brownie drive solc as `solc --version` and
// `solc --standard-json [--allow-paths P] [--base-path P] [--include-path P]` with the
// input JSON on stdin; solc-js's own CLI does not accept those flags, so this does.
"use strict";

const fs = require("fs");
const path = require("path");
const solc = require("solc");

function parseArgs(argv) {
  const opts = { allowPaths: [], basePath: null, includePaths: [], mode: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case "--version":
        opts.mode = "version";
        break;
      case "--help":
        opts.mode = "help";
        break;
      case "--standard-json":
        opts.mode = "standard-json";
        break;
      case "--allow-paths":
        opts.allowPaths.push(...value().split(",").filter(Boolean));
        break;
      case "--base-path":
        opts.basePath = value();
        break;
      case "--include-path":
        opts.includePaths.push(value());
        break;
      default:
        throw new Error(`unsupported argument: ${arg} (this wrapper supports --version and --standard-json)`);
    }
  }
  return opts;
}

function makeImportCallback(opts) {
  const roots = [process.cwd()];
  if (opts.basePath) roots.unshift(path.resolve(opts.basePath));
  roots.push(...opts.includePaths.map((p) => path.resolve(p)));
  roots.push(...opts.allowPaths.map((p) => path.resolve(p)));
  return (importPath) => {
    const candidates = path.isAbsolute(importPath)
      ? [importPath]
      : roots.map((root) => path.join(root, importPath));
    for (const candidate of candidates) {
      try {
        return { contents: fs.readFileSync(candidate, "utf8") };
      } catch (_) {
        // try the next root
      }
    }
    return { error: `File not found: ${importPath} (searched ${roots.join(", ")})` };
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.mode === "version") {
    // py-solc-x validates the binary with this exact shape, including "+commit.".
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    return;
  }
  if (opts.mode === "help") {
    process.stdout.write(
      "solc-js wrapper\n  --version             Print the compiler version.\n" +
        "  --standard-json       Read standard JSON input from stdin.\n"
    );
    return;
  }
  if (opts.mode !== "standard-json") {
    throw new Error("nothing to do: pass --version or --standard-json");
  }
  const input = fs.readFileSync(0, "utf8");
  const output = solc.compile(input, { import: makeImportCallback(opts) });
  process.stdout.write(output);
}

try {
  main();
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  // exitCode, not exit(): exit() would cut a large stdout write short at the pipe buffer.
  process.exitCode = 1;
}
