import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { encodeVarint } from './varint.ts';

export interface ClientHelloOptions {
  sni: string;
  alpn: string[];
  /** Our Source Connection ID, echoed in the initial_source_connection_id transport parameter. */
  sourceConnectionId: Buffer;
}

const u8 = (value: number) => Buffer.from([value]);
const u16 = (value: number) => Buffer.from([value >> 8, value & 0xff]);
const withU8Length = (body: Buffer) => Buffer.concat([u8(body.length), body]);
const withU16Length = (body: Buffer) => Buffer.concat([u16(body.length), body]);
const extension = (type: number, body: Buffer) => Buffer.concat([u16(type), withU16Length(body)]);

/** RFC 9000 §18.2 transport parameters: a believable client's, plus the mandatory source CID. */
function transportParameters(sourceConnectionId: Buffer): Buffer {
  const parameter = (id: number, value: Buffer) =>
    Buffer.concat([encodeVarint(id), encodeVarint(value.length), value]);
  return Buffer.concat([
    parameter(0x01, encodeVarint(30_000)), // max_idle_timeout (ms)
    parameter(0x03, encodeVarint(1472)), // max_udp_payload_size
    parameter(0x04, encodeVarint(1_048_576)), // initial_max_data
    parameter(0x05, encodeVarint(262_144)), // initial_max_stream_data_bidi_local
    parameter(0x06, encodeVarint(262_144)), // initial_max_stream_data_bidi_remote
    parameter(0x07, encodeVarint(262_144)), // initial_max_stream_data_uni
    parameter(0x08, encodeVarint(100)), // initial_max_streams_bidi
    parameter(0x09, encodeVarint(100)), // initial_max_streams_uni
    parameter(0x0f, sourceConnectionId), // initial_source_connection_id
  ]);
}

function x25519PublicKey(): Buffer {
  const { publicKey } = generateKeyPairSync('x25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url');
}

/**
 * A TLS 1.3 ClientHello handshake message (RFC 8446 §4.1.2) as QUIC carries it (RFC 9001 §8):
 * empty legacy session id, SNI, ALPN and the quic_transport_parameters extension. The key share is
 * a real X25519 key so a server could continue; we never do.
 */
export function buildClientHello(options: ClientHelloOptions): Buffer {
  const sni = Buffer.from(options.sni, 'ascii');
  const extensions = Buffer.concat([
    extension(0x0000, withU16Length(Buffer.concat([u8(0), withU16Length(sni)]))), // server_name
    extension(0x000a, withU16Length(Buffer.concat([u16(0x001d), u16(0x0017), u16(0x0018)]))), // supported_groups
    extension(
      0x000d, // signature_algorithms
      withU16Length(
        Buffer.concat(
          [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601].map((scheme) => u16(scheme)),
        ),
      ),
    ),
    extension(
      0x0010,
      withU16Length(Buffer.concat(options.alpn.map((protocol) => withU8Length(Buffer.from(protocol))))),
    ), // ALPN
    extension(0x002b, withU8Length(u16(0x0304))), // supported_versions: TLS 1.3
    extension(0x002d, withU8Length(u8(1))), // psk_key_exchange_modes: psk_dhe_ke
    extension(0x0033, withU16Length(Buffer.concat([u16(0x001d), withU16Length(x25519PublicKey())]))), // key_share
    extension(0x0039, transportParameters(options.sourceConnectionId)), // quic_transport_parameters
  ]);
  const body = Buffer.concat([
    u16(0x0303), // legacy_version
    randomBytes(32),
    u8(0), // legacy_session_id: empty in QUIC (RFC 9001 §8.4)
    withU16Length(Buffer.concat([u16(0x1301), u16(0x1302), u16(0x1303)])),
    withU8Length(u8(0)), // legacy_compression_methods: null
    withU16Length(extensions),
  ]);
  const length = Buffer.from([body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]);
  return Buffer.concat([u8(0x01), length, body]); // handshake type client_hello
}
