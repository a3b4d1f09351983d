// The bundled driver suite under deno test: one test per case, a step per sweep mode and one for
// the expected findings. The correct example passes plainly and swept; the buggy one's two
// classic bugs are its expected findings, each named with its call site.
import { bundledDriverSuites } from "./bundled_drivers.ts";
import { registerDriverSuite } from "./driver_register.ts";

for (const suite of bundledDriverSuites) await registerDriverSuite(suite);
