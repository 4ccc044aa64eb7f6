import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** A local folder of scoring code as it will be uploaded: its files and one hash of their content. */
export interface CodeBundle {
  /** Absolute path of the folder. */
  readonly path: string;
  /** Code asset name: the folder's path relative to the config folder, in letters, digits, '-' and '_'. */
  readonly name: string;
  /** Files to upload, relative POSIX paths, sorted. */
  readonly files: readonly string[];
  /** SHA-256 (hex) over every file's relative path and content: the code version. */
  readonly contentHash: string;
  /** Total size in bytes. */
  readonly sizeBytes: number;
}

/** Folders and files that never belong in a scoring snapshot (caches, VCS, editor litter). */
const IGNORED = new Set([".git", "__pycache__", ".ipynb_checkpoints", ".DS_Store", ".amlignore", ".venv", "node_modules"]);

/** Azure ML refuses code snapshots above these. */
export const CODE_LIMITS = { files: 2000, sizeBytes: 300 * 1024 * 1024 } as const;

/**
 * Lists and hashes a code folder once; the result is the code version and the upload manifest.
 *
 * The hash covers paths as well as content, so a renamed file is a new version too.
 */
export function readCodeBundle(path: string, configDir: string): CodeBundle {
  const files: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    // Listing order does not matter: the files are sorted as whole paths below.
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (IGNORED.has(entry.name) || entry.name.endsWith(".pyc")) continue;
      const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      const full = join(dir, entry.name);
      const isDir = entry.isDirectory() || (entry.isSymbolicLink() && statSync(full).isDirectory());
      if (isDir) walk(full, rel);
      else files.push(rel);
    }
  };
  walk(path, "");
  files.sort();
  const hash = createHash("sha256");
  let sizeBytes = 0;
  for (const rel of files) {
    const content = readFileSync(join(path, rel));
    sizeBytes += content.length;
    hash.update(rel).update("\0").update(createHash("sha256").update(content).digest()).update("\0");
  }
  return { path, name: assetName(relative(configDir, path)), files, contentHash: hash.digest("hex"), sizeBytes };
}

/** "../shared/src" → "shared-src": a stable name that does not depend on where the repository is checked out. */
function assetName(relativePath: string): string {
  // ".." and "." need no filter: dots are not allowed characters, and a leading run of hyphens is dropped.
  const name = relativePath
    .split(/[\\/]/)
    .join("-")
    .replace(/[^a-zA-Z0-9_-]+/g, "-")
    .replace(/^[-_]+/, "");
  return name === "" ? "code" : name.slice(0, 255);
}
