// CRC-32 (IEEE 802.3, the zlib/PNG one: reflected polynomial 0xEDB88320), which detects every
// error of up to 3 flipped bits, and every burst of up to 32, in the bytes it covers.

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The CRC-32 of `parts` one after the other; `crc32(b) === crc32([b.subarray(0, k), b.subarray(k)])`. */
export function crc32(parts: Uint8Array | readonly Uint8Array[]): number {
  let c = 0xffffffff;
  for (const bytes of parts instanceof Uint8Array ? [parts] : parts) {
    for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}
