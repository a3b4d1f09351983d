/**
 * wavert-bench: a simulator of Windows' IPortWaveRTStream page allocation, a hardware backend
 * that makes the same calls for real, and the tools to compare them.
 *
 * @example
 * ```ts
 * import { CacheType, Simulator } from "./mod.ts";
 * using sim = new Simulator({ fragmentation: 0.3, seed: 1 });
 * const stream = sim.stream();
 * const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 1920);
 * if (mdl) {
 *   const va = stream.mapAllocatedPages(mdl, CacheType.WriteCombined);
 *   if (va !== null) stream.unmapAllocatedPages(va, mdl);
 *   stream.freePagesFromMdl(mdl);
 * }
 * ```
 *
 * @module
 */

export type {
  Backend,
  BackendCapabilities,
  CallTiming,
  Capability,
  Mdl,
  StreamOperation,
  WaveRtStream,
} from "./core/backend.ts";
export {
  CacheType,
  cacheTypeName,
  Irql,
  maxBytesPerCall,
  MdlFlags,
  MmAllocateFlags,
} from "./core/constants.ts";
export { type CostModel, defaultCostModel } from "./core/cost_model.ts";
export type { FaultableOperation, FaultOptions } from "./core/faults.ts";
export {
  hostMachine,
  type MachineLayout,
  type MachinePresetName,
  machinePresets,
  parseProcIomem,
  ramBytes,
  type RamRange,
  validateMachine,
  withPageSize,
} from "./core/machine.ts";
export type { AllocatePagesRequest, CacheConflict, Leak, MemoryManager } from "./core/mm.ts";
export { type AllocationPolicies, defaultPolicies } from "./core/policies.ts";
export type { PortClsStream } from "./core/port_stream.ts";
export { Simulator, type SimulatorOptions } from "./core/simulator.ts";
export {
  DriverViolation,
  type ViolationRule,
  type ViolationRuleId,
  ViolationRules,
} from "./core/violations.ts";
