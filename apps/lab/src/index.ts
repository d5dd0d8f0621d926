export {
  compileKernelCensor,
  type KernelCensor,
  type KernelCensorContext,
} from './censor/compile-kernel-censor.ts';
export { answerForName, type DnsAnswer } from './censor/dns-decision.ts';
export { matchesHostGlob } from './censor/host-glob.ts';
export {
  type LyingResolver,
  type LyingResolverOptions,
  startLyingResolver,
} from './censor/lying-resolver.ts';
export { type ResolvedRule, RuleResolutionError, resolveRules } from './censor/resolve-rules.ts';
export {
  DEMO_REGION_SLOT_OFFSET,
  type DemoNetwork,
  type DemoNetworkOptions,
  startDemoNetwork,
} from './demo/start-demo-network.ts';
export { formatLabReport } from './runner/format-report.ts';
export { detectLabMode } from './runner/lab-mode.ts';
export { type LabReport, type RunLabOptions, runLab } from './runner/run-lab.ts';
export {
  LAB_WINDOW_MS,
  type LabMode,
  type RunScenarioOptions,
  runScenario,
  type ScenarioReport,
} from './runner/run-scenario.ts';
export {
  type ConfusionTable,
  confusionTable,
  type ExpectationScore,
  type ObservedTimeline,
  scoreExpectation,
} from './runner/score-expectations.ts';
export { type CensorAction, CensorRule, RuleMatch } from './scenario/censor-rule.ts';
export {
  countryOfRegion,
  formatScenarioIssue,
  InvalidScenarioError,
  type ParseScenarioResult,
  parseScenario,
  type ScenarioIssue,
} from './scenario/parse-scenario.ts';
export { listScenarioFiles, loadScenario, SCENARIO_DIR } from './scenario/scenario-files.ts';
export {
  type EventExpectation,
  type Expectation,
  type NoEventExpectation,
  type Scenario,
  ScenarioPhase,
  ScenarioRegion,
  ScenarioShape,
  type StateExpectation,
} from './scenario/scenario-schema.ts';
export {
  agentLink,
  hostLink,
  LAB_BLOCKPAGE_IP,
  LAB_SYSTEM_RESOLVER_IP,
} from './topology/addressing.ts';
export { LAB_BLOCKPAGE_HTML } from './topology/censor-daemon.ts';
export { LabCommandError } from './topology/run-command.ts';
export {
  type AgentNode,
  buildTopology,
  type RegionNode,
  type Topology,
  TopologyError,
  type TopologyOptions,
} from './topology/topology.ts';
export {
  agentSourceAddress,
  catalogueForRegion,
  demoWorldPlacement,
  labAddressOfRegionLoopback,
  loopbackPort,
  regionDial,
  regionLoopbackAddress,
  type WorldPlacement,
  worldLoopbackAddress,
  worldLoopbackPlacement,
} from './userspace/loopback-addressing.ts';
export {
  type LabEndpoint,
  labEndpoints,
  startUserSpaceCensor,
  type UserSpaceCensor,
  type UserSpaceCensorOptions,
} from './userspace/user-space-censor.ts';
export { issueWorldCertificates, type WorldCertificates } from './world/world-certificates.ts';
export { startWorldServices, type WorldServices } from './world/world-services.ts';
