// The cdktf template's snapshot test, applied to the baseline stack. Run by the bench only (`--ci`: never writes).
import { Testing } from "cdktf";
import { ServingStack } from "../stack";

describe("serving stack", () => {
  it("synthesizes the full-featured environment", () => {
    const app = Testing.app();
    const stack = new ServingStack(app, "serving-e01", { env: "e01", deployments: 3 });
    expect(Testing.synth(stack)).toMatchSnapshot();
  });
});
