// Test fixture: a minimal MaxMind DB writer (https://maxmind.github.io/MaxMind-DB/), IPv4 only,
// 24-bit records, enough to build a database that says where 127.0.0.1 "is".

type MmdbValue = string | number | MmdbValue[] | { [key: string]: MmdbValue };

function control(type: number, size: number): Buffer {
  if (size >= 29) throw new RangeError('fixture values are kept under 29 bytes/entries');
  return type <= 7 ? Buffer.from([(type << 5) | size]) : Buffer.from([size, type - 7]);
}

function encode(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === 'number') {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    const trimmed = bytes.subarray(
      bytes.findIndex((byte) => byte !== 0) === -1 ? 4 : bytes.findIndex((byte) => byte !== 0),
    );
    return Buffer.concat([control(6, trimmed.length), trimmed]); // uint32
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([
    control(7, entries.length),
    ...entries.flatMap(([key, item]) => [encode(key), encode(item)]),
  ]);
}

function uint24(value: number): Buffer {
  return Buffer.from([(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]);
}

/** One database with `record` for each listed /32 IPv4 address. */
export function writeMmdb(entries: { address: string; record: Record<string, MmdbValue> }[]): Buffer {
  const data = entries.map((entry) => encode(entry.record));
  const dataOffsets = data.map((_, index) =>
    data.slice(0, index).reduce((sum, part) => sum + part.length, 0),
  );
  // Nodes of a binary trie over the address bits; -1 marks an empty branch until numbered.
  const nodes: [number | { data: number }, number | { data: number }][] = [[-1, -1]];
  entries.forEach((entry, entryIndex) => {
    const bits = entry.address
      .split('.')
      .flatMap((octet) => [...Number(octet).toString(2).padStart(8, '0')].map(Number));
    let node = 0;
    bits.forEach((bit, depth) => {
      const current = nodes[node] as (typeof nodes)[number];
      if (depth === bits.length - 1) {
        current[bit as 0 | 1] = { data: entryIndex };
        return;
      }
      if (current[bit as 0 | 1] === -1) {
        nodes.push([-1, -1]);
        current[bit as 0 | 1] = nodes.length - 1;
      }
      node = current[bit as 0 | 1] as number;
    });
  });
  const nodeCount = nodes.length;
  const record = (value: number | { data: number }) =>
    typeof value === 'number'
      ? uint24(value === -1 ? nodeCount : value)
      : uint24(nodeCount + 16 + (dataOffsets[value.data] ?? 0));
  const tree = Buffer.concat(nodes.flatMap(([left, right]) => [record(left), record(right)]));
  const metadata = encode({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 4,
    database_type: 'reachmap-test',
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000,
    description: { en: 'reachmap test database' },
  });
  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    ...data,
    Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'),
    metadata,
  ]);
}
