import { createMeasurementClock, type ProbeContext } from '@reachmap/probes';
import { startBlackholeListener } from '@reachmap/probes/testing';
import { LAYERS } from '@reachmap/schema';
import type { Catalogue } from '@reachmap/targets';
import { describe, expect, it } from 'vitest';
import { LAYER_RUNS, type LayerRunContext } from './layer-runs.ts';
import { SuiteResolver } from './suite-resolver.ts';

/** A layer run whose probes give up after 1 s, so a blackhole's timeouts stay short. */
function oneSecondProbes(): LayerRunContext {
  const clock = createMeasurementClock();
  const probe = (): ProbeContext => ({ clock, timeoutMs: 1_000 });
  return {
    resolver: new SuiteResolver(probe()),
    catalogue: {} as Catalogue,
    ca: undefined,
    probe,
    signal: new AbortController().signal,
  };
}

describe("the agent's part of the layer registry", () => {
  it('gives every registered layer a run, in registry order', () => {
    expect(Object.keys(LAYER_RUNS)).toEqual([...LAYERS]);
  });

  it("probes WhatsApp's 16 hosts × 2 ports in one wave, so a blackhole costs one timeout, not four", async () => {
    const blackhole = await startBlackholeListener();
    try {
      const spec = Array.from({ length: 16 }, () => ({
        host: '127.0.0.1',
        ports: [blackhole.port, blackhole.port],
      }));
      const { tcp = [] } = await LAYER_RUNS.tcp.run(spec, oneSecondProbes());
      expect(tcp).toHaveLength(32);
      expect(tcp.every((connect) => connect.failure === 'generic_timeout_error')).toBe(true);
      // In waves of 8 the last connects would start after three timeouts (3 s).
      expect(Math.max(...tcp.map((connect) => connect.t0))).toBeLessThan(1);
    } finally {
      await blackhole.close();
    }
  });
  it('sends no harmless SNI to an address the target SNI could not even connect to', async () => {
    const blackhole = await startBlackholeListener();
    try {
      const spec = [
        {
          sni: 'e1.whatsapp.net',
          addresses: ['127.0.0.1'],
          port: blackhole.port,
          control_sni: 'example.com',
        },
      ];
      const { tcp = [], tls = [] } = await LAYER_RUNS.tls.run(spec, oneSecondProbes());
      // One connect that timed out, no handshake: a second one would only wait a second timeout.
      expect(tcp.map((connect) => connect.failure)).toEqual(['generic_timeout_error']);
      expect(tls).toEqual([]);
    } finally {
      await blackhole.close();
    }
  });
});
