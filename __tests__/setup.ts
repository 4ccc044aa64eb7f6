import { Testing } from "cdktf";
// Brings the global type declarations of the cdktf matchers into the type check.
import "cdktf/lib/testing/adapters/jest";

// Registers the cdktf jest matchers (toHaveResource, toHaveResourceWithProperties, ...).
Testing.setupJest();
