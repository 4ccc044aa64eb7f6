import { condaSources, hostAllowed } from "../../lib/config/conda-hosts";

/** Where a conda file makes Azure ML's image build download from, line by line. */

describe("condaSources", () => {
  test("channels by name, defaults, nodefaults, URLs, channel::package, and pip's indexes", () => {
    const text = [
      "name: scoring", // 1
      "channels:", // 2
      "  - pytorch", // 3
      "  - defaults", // 4
      "  - nodefaults", // 5
      "  - https://Conda.Example.COM/private-channel", // 6
      "  - file:///opt/local-channel", // 7
      "dependencies:", // 8
      "  - python=3.10", // 9
      "  - nvidia::cuda-toolkit=12.1", // 10
      "  - pip", // 11
      "  - pip:", // 12
      "      - --extra-index-url=https://pkgs.example.net/simple", // 13
      "      - torch==2.3.1", // 14
    ].join("\n");
    expect(condaSources(text)).toEqual([
      { what: "channel pytorch", line: 3, hosts: ["conda.anaconda.org"] },
      { what: "channel defaults", line: 4, hosts: ["conda.anaconda.org", "repo.anaconda.com"] },
      { what: "channel https://Conda.Example.COM/private-channel", line: 6, hosts: ["conda.example.com"] },
      { what: "channel nvidia (in nvidia::cuda-toolkit=12.1)", line: 10, hosts: ["conda.anaconda.org"] },
      // --extra-index-url adds an index; pip still downloads from PyPI.
      { what: "pip packages from PyPI", line: 12, hosts: ["pypi.org", "files.pythonhosted.org"] },
      { what: "pip index https://pkgs.example.net/simple", line: 13, hosts: ["pkgs.example.net"] },
    ]);
  });

  test.each([
    ["--index-url https://pkgs.example.net/simple"],
    ["--index-url=https://pkgs.example.net/simple"],
    ["-i https://pkgs.example.net/simple"],
  ])("%s replaces PyPI: only that index is downloaded from", (option) => {
    const text = ["channels: [conda-forge]", "dependencies:", "  - pip:", `      - ${option}`, "      - scikit-learn==1.5.2"].join("\n");
    expect(condaSources(text)).toEqual([
      { what: "channel conda-forge", line: 1, hosts: ["conda.anaconda.org"] },
      { what: "pip index https://pkgs.example.net/simple", line: 4, hosts: ["pkgs.example.net"] },
    ]);
  });

  test("a pip list with no package downloads nothing; neither does a file without channels or pip", () => {
    expect(condaSources("dependencies:\n  - pip:\n      - --index-url https://pkgs.example.net/simple\n")).toEqual([]);
    expect(condaSources("dependencies:\n  - python=3.10\n  - pip\n")).toEqual([]);
  });

  test("a file that is not a YAML mapping yields nothing (Azure reports its problems)", () => {
    expect(condaSources("channels: [conda-forge\n")).toEqual([]);
    expect(condaSources("- conda-forge\n")).toEqual([]);
  });
});

describe("hostAllowed", () => {
  test.each<[string, string[], boolean]>([
    ["conda.anaconda.org", ["conda.anaconda.org"], true],
    ["conda.anaconda.org", ["*.anaconda.org"], true],
    ["files.pythonhosted.org", ["pypi.org", "*.pythonhosted.org"], true],
    // A wildcard covers subdomains, not the name itself, as the managed network's FQDN rules do.
    ["anaconda.org", ["*.anaconda.org"], false],
    ["conda.anaconda.org", ["anaconda.org"], false],
    ["conda.anaconda.org", ["*.conda.anaconda.org"], false],
    ["evilanaconda.org", ["*.anaconda.org"], false],
    ["pypi.org", [], false],
  ])("%s with %p: %p", (host, allowed, expected) => {
    expect(hostAllowed(host, allowed)).toBe(expected);
  });
});
