/**
 * Opens the helper and prints the class name of the error it throws, or "loaded": run without
 * `--allow-ffi` to see that permission errors pass through untouched.
 *
 * @module
 */

import { HelperLibrary } from "../library.ts";

try {
  HelperLibrary.open().close();
  console.log("loaded");
} catch (e) {
  console.log(e instanceof Error ? e.constructor.name : typeof e);
}
