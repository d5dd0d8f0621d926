/**
 * OONI's handshake entries have no notion of a harmless control SNI. Our exports mark such handshakes
 * with this tag (df-006 `tags` is a free list of strings) so an import can tell them apart again.
 */
export const SNI_CONTROL_TAG = 'reachmap_sni_control';
