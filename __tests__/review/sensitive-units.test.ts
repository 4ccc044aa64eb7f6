/** Unit tests of lib/review/sensitive.ts, force-new.ts and stateful.ts with small hand-written inputs. */

import { forcesReplacement } from "../../lib/review/force-new";
import {
  collectSensitiveStrings,
  maskAt,
  maskHasTrue,
  redact,
  SecretSet,
  SENSITIVE_VALUE,
  UNKNOWN_VALUE,
} from "../../lib/review/sensitive";
import { armTypeOf } from "../../lib/review/stateful";

describe("Masked placeholders", () => {
  it("render as their label when turned into text", () => {
    expect(String(SENSITIVE_VALUE)).toBe("(sensitive value)");
    expect(`${UNKNOWN_VALUE}`).toBe("(known after apply)");
  });
});

describe("maskAt", () => {
  it("marks every child of a subtree marked true", () => {
    expect(maskAt(true, "password")).toBe(true);
    expect(maskAt(true, 3)).toBe(true);
  });

  it("looks up list masks by index only", () => {
    expect(maskAt([false, true], 1)).toBe(true);
    expect(maskAt([true], "0")).toBeUndefined();
  });

  it("looks up object masks by own key only", () => {
    expect(maskAt({ password: true }, "password")).toBe(true);
    expect(maskAt({ password: true }, "user")).toBeUndefined();
    expect(maskAt({ "0": true }, 0)).toBe(true);
  });

  it("has nothing under a mask that is false or missing", () => {
    expect(maskAt(false, "a")).toBeUndefined();
    expect(maskAt(undefined, 0)).toBeUndefined();
  });
});

describe("maskHasTrue", () => {
  it("is true for a mask marked true anywhere", () => {
    expect(maskHasTrue(true)).toBe(true);
    expect(maskHasTrue([true])).toBe(true);
    expect(maskHasTrue([false, true])).toBe(true);
    expect(maskHasTrue({ a: true })).toBe(true);
    expect(maskHasTrue({ a: false, b: { c: [false, true] } })).toBe(true);
  });

  it("is false for masks that mark nothing", () => {
    expect(maskHasTrue(false)).toBe(false);
    expect(maskHasTrue(null)).toBe(false);
    expect(maskHasTrue(undefined)).toBe(false);
    expect(maskHasTrue("true")).toBe(false);
    expect(maskHasTrue([])).toBe(false);
    expect(maskHasTrue({})).toBe(false);
    expect(maskHasTrue([false, { a: false }])).toBe(false);
    expect(maskHasTrue({ a: false, b: [] })).toBe(false);
  });
});

describe("redact", () => {
  it("leaves null as null when no unknown mask marks anything under it", () => {
    expect(redact(null)).toBeNull();
    expect(redact(null, undefined, {})).toBeNull();
    expect(redact(null, undefined, { a: false })).toBeNull();
    expect(redact(null, undefined, [false])).toBeNull();
  });

  it("fills in a missing list from a list-shaped unknown mask", () => {
    expect(redact(null, undefined, [false, true])).toEqual([undefined, UNKNOWN_VALUE]);
    expect(redact(undefined, undefined, [true])).toEqual([UNKNOWN_VALUE]);
  });

  it("does not replace a known scalar because of a mask of another shape", () => {
    expect(redact("x", undefined, [true])).toBe("x");
    expect(redact("x", undefined, { a: true })).toBe("x");
    expect(redact(5, undefined, { a: true })).toBe(5);
  });

  it("adds only the keys the unknown mask marks", () => {
    const result = redact({ k: 1 }, undefined, { other: false, later: true });
    expect(result).toEqual({ k: 1, later: UNKNOWN_VALUE });
    expect(Object.keys(result as object)).toEqual(["k", "later"]);
  });

  it("returns object keys in alphabetical order", () => {
    expect(Object.keys(redact({ b: 1, c: 2, a: 3 }) as object)).toEqual(["a", "b", "c"]);
    expect(Object.keys(redact({ b: 1 }, undefined, { a: true }) as object)).toEqual(["a", "b"]);
  });
});

describe("collectSensitiveStrings", () => {
  it("collects the strings of a sensitive value, however deep, leaving out empty strings", () => {
    const into = new Set<string>();
    collectSensitiveStrings({ a: "", b: "top", c: ["in-list", { d: "in-object" }], n: 8, t: true }, true, into);
    expect([...into].sort()).toEqual(["in-list", "in-object", "top"]);
  });

  it("collects a sensitive empty string as nothing", () => {
    const into = new Set<string>();
    collectSensitiveStrings("", true, into);
    expect([...into]).toEqual([]);
  });

  it("collects only the parts the mask marks", () => {
    const into = new Set<string>();
    collectSensitiveStrings({ user: "u", password: "p", hosts: ["public", "private"] }, { password: true, hosts: [false, true] }, into);
    expect([...into].sort()).toEqual(["p", "private"]);
  });
});

describe("SecretSet.scrub", () => {
  it("breaks a tie between overlapping secrets of equal length alphabetically, whatever their order", () => {
    expect(new SecretSet(["abcdefg", "bcdefgh"]).scrub("abcdefgh")).toBe("(sensitive value)h");
    expect(new SecretSet(["bcdefgh", "abcdefg"]).scrub("abcdefgh")).toBe("(sensitive value)h");
    expect(new SecretSet(["bcdefgh", "abcdefg"]).scrub("bcdefghabcdefg")).toBe("(sensitive value)(sensitive value)");
  });

  it("replaces a longer secret before a shorter one it contains", () => {
    expect(new SecretSet(["secret", "topsecret1"]).scrub("x=topsecret1")).toBe("x=(sensitive value)");
  });

  it("leaves text without secrets unchanged", () => {
    expect(new SecretSet(["abcdefg"]).scrub("nothing here")).toBe("nothing here");
  });
});

describe("forcesReplacement: account_replication_type", () => {
  const replaces = (before: unknown, after: unknown): boolean =>
    forcesReplacement("azurerm_storage_account", "account_replication_type", before, after);

  it("replaces when moving between locally and zone redundant, in either direction", () => {
    expect(replaces("LRS", "ZRS")).toBe(true);
    expect(replaces("ZRS", "LRS")).toBe(true);
    expect(replaces("GZRS", "GRS")).toBe(true);
    expect(replaces("ragzrs", "lrs")).toBe(true);
  });

  it("updates in place within one group", () => {
    expect(replaces("LRS", "GRS")).toBe(false);
    expect(replaces("ZRS", "GZRS")).toBe(false);
  });

  it("does not replace when either side is not a string", () => {
    expect(replaces(null, "ZRS")).toBe(false);
    expect(replaces("LRS", undefined)).toBe(false);
    expect(replaces(undefined, undefined)).toBe(false);
  });
});

describe("forcesReplacement: account_kind", () => {
  const replaces = (before: unknown, after: unknown): boolean => forcesReplacement("azurerm_storage_account", "account_kind", before, after);

  it("upgrades Storage to StorageV2 in place", () => {
    expect(replaces("Storage", "StorageV2")).toBe(false);
    expect(replaces("Storage", undefined)).toBe(false);
  });

  it("treats an absent kind as StorageV2", () => {
    expect(replaces("StorageV2", undefined)).toBe(false);
    expect(replaces(undefined, "StorageV2")).toBe(false);
    expect(replaces(null, null)).toBe(false);
  });

  it("replaces for any other kind change", () => {
    expect(replaces("Storage", "BlobStorage")).toBe(true);
    expect(replaces("BlobStorage", "StorageV2")).toBe(true);
    expect(replaces("StorageV2", "Storage")).toBe(true);
  });
});

describe("forcesReplacement: large_file_share_enabled", () => {
  const replaces = (before: unknown, after: unknown): boolean =>
    forcesReplacement("azurerm_storage_account", "large_file_share_enabled", before, after);

  it("replaces when large file shares are turned off or dropped", () => {
    expect(replaces(true, false)).toBe(true);
    expect(replaces(true, undefined)).toBe(true);
    expect(replaces(true, null)).toBe(true);
  });

  it("updates in place when they are turned on or stay as they are", () => {
    expect(replaces(false, true)).toBe(false);
    expect(replaces(undefined, true)).toBe(false);
    expect(replaces(true, true)).toBe(false);
    expect(replaces(false, false)).toBe(false);
    expect(replaces(undefined, undefined)).toBe(false);
  });
});

describe("armTypeOf", () => {
  it("drops the API version after the @", () => {
    expect(armTypeOf("Microsoft.Storage/storageAccounts@2023-05-01")).toBe("Microsoft.Storage/storageAccounts");
  });

  it("returns a type without an API version unchanged", () => {
    expect(armTypeOf("Microsoft.Storage/storageAccounts")).toBe("Microsoft.Storage/storageAccounts");
  });

  it("returns an empty type for text that starts with the API version", () => {
    expect(armTypeOf("@2023-05-01")).toBe("");
  });
});
