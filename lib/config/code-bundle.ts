import { createHash } from "node:crypto";
import { closeSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";

/**
 * A local file or folder as it will be uploaded (scoring code, a model, a Docker build context): its files and one
 * hash of their content.
 */
export interface LocalContent {
  /** Absolute path of the file or folder, as configured. */
  readonly path: string;
  /** Absolute folder that {@link files} are relative to: the folder itself, or a file's parent folder. */
  readonly root: string;
  /** True when {@link path} is one file rather than a folder. */
  readonly isFile: boolean;
  /** Default asset name: the path relative to the config folder, in letters, digits, '-' and '_'. */
  readonly name: string;
  /** Files to upload, POSIX paths relative to {@link root}, sorted. */
  readonly files: readonly string[];
  /** SHA-256 (hex) over every file's relative path and content; its first 12 characters serve as a version. */
  readonly contentHash: string;
  /** Total size in bytes. */
  readonly sizeBytes: number;
  /**
   * Links in the folder that point at nothing, relative to {@link root}: left out of {@link files}, and reported by
   * the config rules, since they cannot be uploaded.
   * @default none
   */
  readonly brokenLinks?: readonly string[];
}

/** A local folder of scoring code. */
export type CodeBundle = LocalContent;

/** Folders and files that never belong in an upload (caches, VCS, editor litter). */
const IGNORED = new Set([".git", "__pycache__", ".ipynb_checkpoints", ".DS_Store", ".amlignore", ".venv", "node_modules"]);

/** Azure ML refuses code snapshots above these. */
export const CODE_LIMITS = { files: 2000, sizeBytes: 300 * 1024 * 1024 } as const;

/**
 * Above this many files, a local model folder gets the `model-many-files` warning. Each file is uploaded as its own
 * `azurerm_storage_blob` (Terraform has no folder upload), so each is a resource in the stack: measured in the bench
 * (`npm run bench`, docs/performance.md), a 2,000-file model makes 2,002 resources and several seconds of synth, and
 * every `terraform plan` then refreshes each blob with its own storage request. 200 keeps that under a minute of
 * refresh on a typical plan; an archive of the folder is one blob whatever it holds.
 */
export const MODEL_FILES_WARN_ABOVE = 200;

/** Bytes read per step while hashing: models can be gigabytes, and synth must not hold a whole file in memory. */
const HASH_CHUNK_BYTES = 1024 * 1024;
let chunk: Buffer | undefined;

/**
 * Lists and hashes a local file or folder once; the result is the upload manifest and the content version.
 *
 * The hash covers paths as well as content, so a renamed file is a new version too. Each file is hashed by
 * reading it in 1 MiB steps, so a large model costs time, not memory.
 */
export function readLocalContent(path: string, configDir: string): LocalContent {
  const isFile = statSync(path).isFile();
  const root = isFile ? dirname(path) : path;
  const files: string[] = [];
  const brokenLinks: string[] = [];
  if (isFile) {
    files.push(basename(path));
  } else {
    const walk = (dir: string, prefix: string): void => {
      // Listing order does not matter: the files are sorted as whole paths below.
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (IGNORED.has(entry.name) || entry.name.endsWith(".pyc")) continue;
        const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
        const full = join(dir, entry.name);
        // A link is what it points at: a linked folder is walked, a linked file is uploaded as a file (walking it
        // would fail with ENOTDIR), and a link to nothing is reported rather than crashing the load.
        const target = entry.isSymbolicLink() ? statSync(full, { throwIfNoEntry: false }) : entry;
        if (target === undefined) brokenLinks.push(rel);
        else if (target.isDirectory()) walk(full, rel);
        else files.push(rel);
      }
    };
    walk(path, "");
    files.sort();
    brokenLinks.sort();
  }
  const hash = createHash("sha256");
  let sizeBytes = 0;
  for (const rel of files) {
    const file = hashFile(join(root, rel));
    sizeBytes += file.sizeBytes;
    hash.update(rel).update("\0").update(file.digest).update("\0");
  }
  return {
    path,
    root,
    isFile,
    name: assetName(relative(configDir, path)),
    files,
    contentHash: hash.digest("hex"),
    sizeBytes,
    ...(brokenLinks.length > 0 ? { brokenLinks } : {}),
  };
}

/** A code folder's upload manifest (see {@link readLocalContent}). */
export function readCodeBundle(path: string, configDir: string): CodeBundle {
  return readLocalContent(path, configDir);
}

/** SHA-256 of one file, read in chunks. */
function hashFile(path: string): { digest: Buffer; sizeBytes: number } {
  chunk ??= Buffer.allocUnsafe(HASH_CHUNK_BYTES);
  const hash = createHash("sha256");
  const fd = openSync(path, "r");
  let sizeBytes = 0;
  try {
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      hash.update(chunk.subarray(0, read));
      sizeBytes += read;
    }
  } finally {
    closeSync(fd);
  }
  return { digest: hash.digest(), sizeBytes };
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
