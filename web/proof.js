// proof — reading the audit log's entries (packed ocop.Event protobuf) and checking an
// inclusion proof against a signed tree head in the browser: RFC 6962 hashes with SHA-256 and
// the head's Ed25519 signature over "OCOP-STH-v1" || be64(size) || root || be64(time) with
// the audit key the gateway publishes (/dashboard.json).

export function b64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function unhex(s) {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
  return out;
}

// The fields of one protobuf message: [{no, wire, value}] (varints as Numbers, bytes as Uint8Array).
export function pbFields(buf) {
  const fields = [];
  let i = 0;
  const varint = () => {
    let v = 0, mul = 1, b;
    do {
      b = buf[i++];
      v += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    return v;
  };
  while (i < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8), wire = key % 8;
    if (wire === 0) fields.push({ no, wire, value: varint() });
    else if (wire === 2) {
      const len = varint();
      fields.push({ no, wire, value: buf.subarray(i, i + len) });
      i += len;
    } else if (wire === 1) { fields.push({ no, wire, value: buf.subarray(i, i + 8) }); i += 8; }
    else if (wire === 5) { fields.push({ no, wire, value: buf.subarray(i, i + 4) }); i += 4; }
    else throw new Error('unsupported wire type ' + wire);
  }
  return fields;
}

const text = (b) => new TextDecoder().decode(b);

// An Event's source, time and body field number, with the body's fields.
export function decodeEvent(bytes) {
  const ev = { source: '', time_ms: 0, body: 0, fields: [] };
  for (const f of pbFields(bytes)) {
    if (f.no === 1) ev.source = text(f.value);
    else if (f.no === 4) ev.time_ms = f.value;
    else if (f.no >= 10 && f.wire === 2) { ev.body = f.no; ev.fields = pbFields(f.value); }
  }
  return ev;
}

export const RATING_CHANGED = 232; // Event.eval_rating_changed

// EvalRatingChanged's fields by name.
export function ratingChange(ev) {
  const get = (no) => ev.fields.find((f) => f.no === no);
  const str = (no) => (get(no) ? text(get(no).value) : '');
  const num = (no) => (get(no) ? get(no).value : 0);
  return { product_id: str(1), old_stars: num(5), new_stars: num(6), reason: str(7), session_id: str(8), certificate_id: str(13), time_ms: ev.time_ms };
}

async function sha256(...parts) {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const buf = new Uint8Array(len);
  let o = 0;
  for (const p of parts) { buf.set(p, o); o += p.length; }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
}

// RFC 9162 2.1.3.2: the root from a leaf hash, its index, the tree size and the path.
async function rootFromPath(leaf, index, size, path) {
  let fn = index, sn = size - 1, r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(Uint8Array.of(1), p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await sha256(Uint8Array.of(1), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

function be64(n) {
  const out = new Uint8Array(8);
  let v = BigInt(n);
  for (let i = 7; i >= 0; i--) { out[i] = Number(v & 0xffn); v >>= 8n; }
  return out;
}

// Checks proof (an AudInclusionProof as JSON) with the pinned key (hex). {ok, why, root}.
export async function verifyInclusion(proof, pinnedKeyHex) {
  const head = proof.head;
  if (!head) return { ok: false, why: 'no signed head' };
  // An entry with private fields comes to the public without its data: its leaf hash is then
  // what the path proves (the fields shown are not bound to it).
  const entry = b64(proof.entry.data || '');
  const leaf = entry.length ? await sha256(Uint8Array.of(0), entry) : b64(proof.entry.leaf_hash || '');
  if (leaf.length !== 32) return { ok: false, why: 'no entry data and no leaf hash' };
  const root = await rootFromPath(leaf, Number(proof.index), Number(proof.tree_size), proof.path.map(b64));
  const signedRoot = b64(head.root_hash);
  if (!root || hex(root) !== hex(signedRoot)) return { ok: false, why: 'the path does not lead to the signed root' };
  if (!pinnedKeyHex || head.key_id !== pinnedKeyHex) return { ok: false, why: 'the head is not signed by the pinned audit key' };
  const msg = new Uint8Array(11 + 8 + 32 + 8);
  msg.set(new TextEncoder().encode('OCOP-STH-v1'), 0);
  msg.set(be64(head.tree_size), 11);
  msg.set(signedRoot, 19);
  msg.set(be64(head.timestamp_ms), 51);
  const key = await crypto.subtle.importKey('raw', unhex(pinnedKeyHex), { name: 'Ed25519' }, false, ['verify']);
  const good = await crypto.subtle.verify({ name: 'Ed25519' }, key, b64(head.signature), msg);
  return good ? { ok: true, root: hex(root) } : { ok: false, why: 'bad signature' };
}
