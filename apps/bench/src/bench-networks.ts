import type { AgentNetwork } from '@reachmap/schema';

const COUNTRIES = ['RU', 'IR', 'TR', 'BY', 'KZ', 'CN', 'PK', 'EG', 'VN', 'MM'] as const;
/** Private-use ASNs (RFC 6996): the bench never names a real network. */
const FIRST_ASN = 4_200_000_000;

/**
 * `countries × regionsPerCountry` networks, each with its own region and ASN, so the store sees
 * `countries + 2 × countries × regionsPerCountry` scopes (countries, regions, ASNs).
 */
export function benchNetworks(countries: number, regionsPerCountry: number): AgentNetwork[] {
  const networks: AgentNetwork[] = [];
  for (const country of COUNTRIES.slice(0, countries)) {
    for (let region = 1; region <= regionsPerCountry; region += 1) {
      networks.push({
        country,
        region: `${country}-R${region}`,
        asn: FIRST_ASN + networks.length,
        network_type: networks.length % 3 === 0 ? 'mobile' : 'fixed',
      });
    }
  }
  return networks;
}

export function scopeCount(countries: number, regionsPerCountry: number): number {
  return countries + 2 * countries * regionsPerCountry;
}

/** The network of the `index`-th agent: agents are spread round-robin over the networks. */
export function networkOfAgent(networks: readonly AgentNetwork[], index: number): AgentNetwork {
  const network = networks[index % networks.length];
  if (network === undefined) throw new RangeError('the bench needs at least one network');
  return network;
}
