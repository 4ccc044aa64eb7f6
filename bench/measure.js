"use strict";
/**
 * Runs one command and measures its wall time and the peak resident memory of its whole process tree.
 *
 * Memory is sampled from /proc (Linux) every POLL_MS: at each sample the RSS of the child and all of its descendants
 * is summed, and the largest sum is the peak. That is what a CI runner's memory limit sees when `cdktf synth` runs
 * the app as a second process (and npm a third). Where /proc is missing (macOS), peak memory is reported as null.
 */
const { spawn } = require("node:child_process");
const fs = require("node:fs");

const POLL_MS = 20;
/** How often the process list is rescanned for new descendants; RSS of known ones is read at every poll. */
const SCAN_EVERY = 3;
const PAGE_BYTES = 4096;
const HAS_PROC = fs.existsSync("/proc/self/statm");

/** Parent pid of every process, from /proc/<pid>/stat. */
function parentsByPid() {
  const parents = new Map();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name (field 2) is in parentheses and may contain spaces: fields after it are counted from ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(name), Number(fields[1]));
    } catch {
      // The process exited while the list was read.
    }
  }
  return parents;
}

function descendantsOf(root) {
  const parents = parentsByPid();
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return tree;
}

function rssBytes(pid) {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * PAGE_BYTES;
  } catch {
    return 0;
  }
}

/**
 * @param {string} command run through the shell, as npm scripts and the cdktf CLI run theirs
 * @param {{ cwd: string, env?: NodeJS.ProcessEnv, timeoutMs?: number }} options
 * @returns {Promise<{ seconds: number, peakMB: number | null, code: number | null, output: string }>}
 */
function measure(command, { cwd, env = process.env, timeoutMs = 600_000 }) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, { cwd, env, shell: true, stdio: ["ignore", "pipe", "pipe"] });
    const chunks = [];
    child.stdout.on("data", (c) => chunks.push(c));
    child.stderr.on("data", (c) => chunks.push(c));
    let peak = 0;
    let tree = new Set([child.pid]);
    let polls = 0;
    const poll = () => {
      if (!HAS_PROC) return;
      if (polls++ % SCAN_EVERY === 0) tree = descendantsOf(child.pid);
      let sum = 0;
      for (const pid of tree) sum += rssBytes(pid);
      if (sum > peak) peak = sum;
    };
    poll();
    const timer = setInterval(poll, POLL_MS);
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearInterval(timer);
      clearTimeout(killer);
      reject(error);
    });
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      clearInterval(timer);
      clearTimeout(killer);
      resolve({ seconds, peakMB: HAS_PROC ? peak / 1048576 : null, code, output: Buffer.concat(chunks).toString("utf8") });
    });
  });
}

module.exports = { measure };
