// Test helpers for workspaces that drive a real agent against a real collector (the agent app's
// process tests); never imported by the agent's production code.

export * from './agent-submitter.ts';
export * from './agent-under-test.ts';
export * from './collector-fixture.ts';
export * from './deny-write-execute.ts';
export * from './loopback-network.ts';
