#!/usr/bin/env python3
"""Independent check of the lib/proto known-answer vectors (tests/vectors/*.hex).

A second implementation of the Portvakt wire formats, written from docs/protocol.md with
nothing but the Python 3 standard library: hashlib for BLAKE2b-256 (keyed and unkeyed)
and SHA-512, and small pure-Python X25519 (RFC 7748), Ed25519 (RFC 8032) and
XChaCha20-Poly1305 (RFC 8439 + HChaCha20) for the signatures and the unlock exchange.
It re-parses every byte layout, recomputes every hash, signature, key and ciphertext,
and exits non-zero on the first disagreement. Usage: check_vectors.py VECTOR_DIR
"""
import hashlib
import struct
import sys
from pathlib import Path

# ------------------------------------------------------------------ primitives

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493


def H(data, key=b""):
    return hashlib.blake2b(data, digest_size=32, key=key).digest()


def x25519(k, u):
    k = bytearray(k)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    k = int.from_bytes(k, "little")
    x1 = int.from_bytes(u, "little") & ((1 << 255) - 1)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in reversed(range(255)):
        kt = (k >> t) & 1
        swap ^= kt
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = kt
        a, b = x2 + z2, x2 - z2
        aa, bb = a * a % P, b * b % P
        e = aa - bb
        c, d = x3 + z3, x3 - z3
        da, cb = d * a % P, c * b % P
        x3 = (da + cb) ** 2 % P
        z3 = x1 * (da - cb) ** 2 % P
        x2 = aa * bb % P
        z2 = e * (aa + 121665 * e) % P
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, P - 2, P) % P).to_bytes(32, "little")


X25519_BASE = (9).to_bytes(32, "little")

# Ed25519 (RFC 8032 section 6 reference arithmetic, extended coordinates)
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P:
        return None
    return P - x if (x & 1) != sign else x


_GY = 4 * pow(5, P - 2, P) % P
_GX = _recover_x(_GY, 0)
G = (_GX, _GY, 1, _GX * _GY % P)


def _add(p, q):
    a = (p[1] - p[0]) * (q[1] - q[0]) % P
    b = (p[1] + p[0]) * (q[1] + q[0]) % P
    c = 2 * p[3] * q[3] * D % P
    d = 2 * p[2] * q[2] % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(s, p):
    q = (0, 1, 1, 0)
    while s:
        if s & 1:
            q = _add(q, p)
        p = _add(p, p)
        s >>= 1
    return q


def _compress(p):
    zi = pow(p[2], P - 2, P)
    x, y = p[0] * zi % P, p[1] * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _decompress(s):
    y = int.from_bytes(s, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


def _expand(seed):
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:]


def ed25519_pk(seed):
    return _compress(_mul(_expand(seed)[0], G))


def ed25519_sign(seed, msg):
    a, prefix = _expand(seed)
    pk = _compress(_mul(a, G))
    r = int.from_bytes(hashlib.sha512(prefix + msg).digest(), "little") % L
    rs = _compress(_mul(r, G))
    h = int.from_bytes(hashlib.sha512(rs + pk + msg).digest(), "little") % L
    return rs + ((r + h * a) % L).to_bytes(32, "little")


def ed25519_verify(pk, msg, sig):
    a, r = _decompress(pk), _decompress(sig[:32])
    s = int.from_bytes(sig[32:], "little")
    if a is None or r is None or s >= L:
        return False
    h = int.from_bytes(hashlib.sha512(sig[:32] + pk + msg).digest(), "little") % L
    lhs, rhs = _mul(s, G), _add(r, _mul(h, a))
    return (lhs[0] * rhs[2] - rhs[0] * lhs[2]) % P == 0 and \
        (lhs[1] * rhs[2] - rhs[1] * lhs[2]) % P == 0


def ed_to_x25519_pk(pk):
    y = int.from_bytes(pk, "little") & ((1 << 255) - 1)
    return ((1 + y) * pow(1 - y, P - 2, P) % P).to_bytes(32, "little")


def ed_to_x25519_sk(seed):
    return hashlib.sha512(seed).digest()[:32]  # X25519 clamps it


# ChaCha20 / HChaCha20 / Poly1305 / XChaCha20-Poly1305-IETF
def _rotl(v, c):
    return ((v << c) & 0xFFFFFFFF) | (v >> (32 - c))


def _rounds(s):
    x = list(s)
    for _ in range(10):
        for a, b, c, d in ((0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
                           (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)):
            x[a] = (x[a] + x[b]) & 0xFFFFFFFF
            x[d] = _rotl(x[d] ^ x[a], 16)
            x[c] = (x[c] + x[d]) & 0xFFFFFFFF
            x[b] = _rotl(x[b] ^ x[c], 12)
            x[a] = (x[a] + x[b]) & 0xFFFFFFFF
            x[d] = _rotl(x[d] ^ x[a], 8)
            x[c] = (x[c] + x[d]) & 0xFFFFFFFF
            x[b] = _rotl(x[b] ^ x[c], 7)
    return x


_SIGMA = struct.unpack("<4I", b"expand 32-byte k")


def hchacha20(key, nonce16):
    x = _rounds(list(_SIGMA) + list(struct.unpack("<8I", key)) +
                list(struct.unpack("<4I", nonce16)))
    return struct.pack("<8I", *(x[0:4] + x[12:16]))


def chacha20_block(key, counter, nonce12):
    s = list(_SIGMA) + list(struct.unpack("<8I", key)) + [counter] + \
        list(struct.unpack("<3I", nonce12))
    x = _rounds(s)
    return struct.pack("<16I", *((a + b) & 0xFFFFFFFF for a, b in zip(x, s)))


def chacha20_xor(key, counter, nonce12, data):
    out = bytearray()
    for i in range(0, len(data), 64):
        ks = chacha20_block(key, counter + i // 64, nonce12)
        out += bytes(a ^ b for a, b in zip(data[i:i + 64], ks))
    return bytes(out)


def poly1305(key, msg):
    r = int.from_bytes(key[:16], "little") & 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF
    s = int.from_bytes(key[16:], "little")
    acc, p = 0, (1 << 130) - 5
    for i in range(0, len(msg), 16):
        acc = (acc + int.from_bytes(msg[i:i + 16] + b"\x01", "little")) * r % p
    return ((acc + s) & ((1 << 128) - 1)).to_bytes(16, "little")


def _pad16(b):
    return b"\x00" * (-len(b) % 16)


def xchacha_seal(key, nonce24, ad, msg):
    sub, n12 = hchacha20(key, nonce24[:16]), b"\x00" * 4 + nonce24[16:]
    ct = chacha20_xor(sub, 1, n12, msg)
    mac_data = ad + _pad16(ad) + ct + _pad16(ct) + struct.pack("<QQ", len(ad), len(ct))
    return ct + poly1305(chacha20_block(sub, 0, n12)[:32], mac_data)


def nonce(last):
    return b"\x00" * 23 + bytes([last])

# ------------------------------------------------------------------ vector files

def parse(path):
    """[record] sections of 'key = value' lines -> list of (record name, dict)."""
    recs = []
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            recs.append((line.strip("[]"), {}))
            continue
        k, v = (s.strip() for s in line.split("=", 1))
        recs[-1][1][k] = v
    return recs


def b(rec, k):
    return bytes.fromhex(rec[k])


def n(rec, k):
    return int(rec[k])


class Failure(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Failure(what)


# ------------------------------------------------------------------ Portvakt formats

VERSION = 1
T_CRED, T_REVLIST, T_BEACON, T_LOGBATCH = 0x01, 0x02, 0x03, 0x05
T_HELLO, T_CHALLENGE, T_PRESENT, T_RESULT = 0x10, 0x11, 0x12, 0x13


def leaf(entry):
    return H(b"\x00" + entry)


def node(left, right):
    return H(b"\x01" + left + right)


def levels(entries):
    lv = [[leaf(entries[i:i + 10]) for i in range(0, len(entries), 10)]]
    while len(lv[-1]) > 1:
        cur = lv[-1]
        lv.append([node(cur[j], cur[j + 1]) if j + 1 < len(cur) else cur[j]
                   for j in range(0, len(cur), 2)])
    return lv


def merkle_root(entries):
    return levels(entries)[-1][0]


def merkle_proof(entries, index):
    sib = b""
    for lvl in levels(entries)[:-1]:
        if index ^ 1 < len(lvl):
            sib += lvl[index ^ 1]
        index >>= 1
    return sib


def merkle_verify(entry, index, count, siblings, root):
    h, k = leaf(entry), 0
    while count > 1:
        if index & 1:
            h, k = node(siblings[k:k + 32], h), k + 32
        elif index + 1 < count:
            h, k = node(h, siblings[k:k + 32]), k + 32
        index, count = index >> 1, (count + 1) >> 1
    return k == len(siblings) and h == root


def check_keys(recs, ctx):
    (_, k), = recs
    for who in ("issuer", "bearer", "lock"):
        seed = b(k, who + "_seed")
        expect(ed25519_pk(seed) == b(k, who + "_pk"), who + "_pk is not the seed's public key")
        ctx[who + "_seed"], ctx[who + "_pk"] = seed, b(k, who + "_pk")
    xpk = b(k, "bearer_x_pk")
    expect(ed_to_x25519_pk(b(k, "bearer_pk")) == xpk, "bearer_x_pk != Montgomery form of bearer_pk")
    ctx["bearer_x_sk"] = ed_to_x25519_sk(ctx["bearer_seed"])
    expect(x25519(ctx["bearer_x_sk"], X25519_BASE) == xpk, "bearer X25519 secret does not match")
    ctx["bearer_x_pk"] = xpk


def check_entry(recs, ctx):
    for _, e in recs:
        raw = b(e, "bytes")
        expect(raw == struct.pack("<IHHH", n(e, "lock_id"), n(e, "start_min"), n(e, "end_min"),
                                  n(e, "flags")), "entry layout")
        expect(n(e, "start_min") < n(e, "end_min") and n(e, "flags") & ~0xF == 0, "entry rules")
        expect(leaf(raw) == b(e, "leaf"), "entry leaf hash")


def check_merkle(recs, ctx):
    trees = {}
    for name, r in recs:
        if name == "tree":
            ents = b(r, "entries")
            expect(len(ents) == 10 * n(r, "n"), "tree entries length")
            expect(merkle_root(ents) == b(r, "root"), "root of n=%s" % r["n"])
            trees[n(r, "n")] = ents
        else:
            cnt, idx, ents = n(r, "n"), n(r, "index"), trees[n(r, "n")]
            expect(b(r, "entry") == ents[10 * idx:10 * idx + 10], "proof entry")
            expect(merkle_proof(ents, idx) == b(r, "siblings"), "proof n=%d i=%d" % (cnt, idx))
            expect(merkle_verify(b(r, "entry"), idx, cnt, b(r, "siblings"), b(r, "root")),
                   "proof does not verify")
            if cnt > 1:
                expect(not merkle_verify(b(r, "entry"), (idx + 1) % cnt, cnt, b(r, "siblings"),
                                         b(r, "root")), "proof verifies at another index")
    expect(len(trees) >= 10, "too few trees")


def check_signed(seed, pk, body, sig, what):
    expect(ed25519_sign(seed, body) == sig, what + ": signature differs from RFC 8032 signing")
    expect(ed25519_verify(pk, body, sig), what + ": signature does not verify")


def check_credential(recs, ctx):
    (_, c), = recs
    raw = b(c, "bytes")
    expect(len(raw) == 176, "credential length")
    f = struct.unpack("<BBHIQIIQQQ32s32s", raw[:112])
    expect(f[:3] == (VERSION, T_CRED, 0), "credential header")
    names = ("issuer_id", "serial", "bearer_id", "entry_count", "issued_at", "not_before",
             "not_after")
    expect(list(f[3:10]) == [n(c, k) for k in names], "credential fields")
    expect(f[10] == b(c, "bearer_pk") == ctx["bearer_x_pk"], "credential bearer key")
    expect(f[11] == b(c, "root") == merkle_root(b(c, "entries")), "credential root")
    expect(f[6] == len(b(c, "entries")) // 10, "credential entry count")
    expect(f[8] < f[9] and f[9] - f[8] <= 48 * 3600 and f[7] <= f[9] and
           f[9] - f[7] <= 48 * 3600, "credential window")
    check_signed(ctx["issuer_seed"], ctx["issuer_pk"], raw[:112], raw[112:], "credential")
    ctx["credential"], ctx["cred_entries"], ctx["cred_root"] = raw, b(c, "entries"), f[11]


def check_revlist(recs, ctx):
    for _, r in recs:
        raw, cnt = b(r, "bytes"), n(r, "count")
        expect(len(raw) == 24 + 12 * cnt + 64, "revlist length")
        expect(struct.unpack("<BBHIQQ", raw[:24]) ==
               (VERSION, T_REVLIST, cnt, n(r, "issuer_id"), n(r, "version"), n(r, "issued_at")),
               "revlist header")
        ids = [int(x) for x in r["bearer_ids"].split(",") if x]
        ats = [int(x) for x in r["revoked_at"].split(",") if x]
        got = [struct.unpack("<IQ", raw[24 + 12 * i:36 + 12 * i]) for i in range(cnt)]
        expect(got == list(zip(ids, ats)), "revlist entries")
        expect(all(a[0] < b_[0] for a, b_ in zip(got, got[1:])), "revlist order")
        check_signed(ctx["issuer_seed"], ctx["issuer_pk"], raw[:-64], raw[-64:], "revlist")
        ctx["revlist%d" % cnt] = raw


def check_beacon(recs, ctx):
    (_, r), = recs
    raw = b(r, "bytes")
    expect(len(raw) == 80 and struct.unpack("<BBHIQ", raw[:16]) ==
           (VERSION, T_BEACON, 0, n(r, "issuer_id"), n(r, "time")), "beacon layout")
    check_signed(ctx["issuer_seed"], ctx["issuer_pk"], raw[:16], raw[16:], "beacon")
    ctx["beacon"] = raw


def check_logbatch(recs, ctx):
    evs = [r for name, r in recs if name == "event"]
    (batch,) = [r for name, r in recs if name == "logbatch"]
    for e in evs:
        expect(b(e, "bytes") == struct.pack("<IIBBHI", *(n(e, k) for k in (
            "seq", "time", "kind", "reason", "aux", "subject"))), "event layout")
        expect(1 <= n(e, "kind") <= 9 and (n(e, "kind") == 2 or n(e, "reason") == 0), "event rules")
    raw, cnt = b(batch, "bytes"), n(batch, "count")
    expect(len(raw) == 40 + 16 * cnt + 64, "batch length")
    expect(struct.unpack("<BBBBI32s", raw[:40]) ==
           (VERSION, T_LOGBATCH, cnt, 0, n(batch, "lock_id"), b(batch, "prev_hash")), "batch header")
    body = raw[40:40 + 16 * cnt]
    expect(body == b"".join(b(e, "bytes") for e in evs), "batch events")
    seqs = [struct.unpack("<I", body[16 * i:16 * i + 4])[0] for i in range(cnt)]
    expect(seqs == list(range(seqs[0], seqs[0] + cnt)), "batch seq not consecutive")
    h, chain = b(batch, "prev_hash"), b""
    for i in range(cnt):
        h = H(b"\x02" + h + body[16 * i:16 * i + 16])
        chain += h
    expect(chain == b(batch, "chain") and h == b(batch, "chain_end"), "log hash chain")
    check_signed(ctx["lock_seed"], ctx["lock_pk"], raw[:-64], raw[-64:], "log batch")
    ctx["logbatch"] = raw


def check_present_inner(inner, ctx):
    expect(inner[:176] == ctx["credential"], "M3 inner: credential")
    entry = inner[176:186]
    idx, ns = struct.unpack("<IB", inner[186:191])
    sib = inner[191:191 + 32 * ns]
    off = 191 + 32 * ns
    expect(merkle_verify(entry, idx, len(ctx["cred_entries"]) // 10, sib, ctx["cred_root"]),
           "M3 inner: proof does not lead to the credential root")
    (rl_len,) = struct.unpack("<H", inner[off:off + 2])
    expect(inner[off + 2:off + 2 + rl_len] == ctx["revlist3"], "M3 inner: revlist")
    off += 2 + rl_len
    expect(inner[off] == 80 and inner[off + 1:off + 81] == ctx["beacon"], "M3 inner: beacon")
    expect(len(inner) == off + 81, "M3 inner: exact length")
    return struct.unpack("<I", entry[:4])[0]


def check_unlock(recs, ctx):
    expect([name for name, _ in recs] == ["unlock", "unlock_refused", "unlock_static"],
           "unlock records")
    for name, u in recs:
        e_k = x25519(b(u, "key_rand"), X25519_BASE)
        # unlock_static: the lock's X25519 key is the Montgomery form of its Ed25519 key
        l_sk = b(u, "lock_rand") if "lock_rand" in u else ed_to_x25519_sk(ctx["lock_seed"])
        e_l = x25519(l_sk, X25519_BASE)
        if "lock_rand" not in u:
            expect(e_l == ed_to_x25519_pk(ctx["lock_pk"]), "static lock key")
        m1, m2, m3, m4 = b(u, "m1"), b(u, "m2"), b(u, "m3"), b(u, "m4")
        expect(m1 == struct.pack("<BBHI", VERSION, T_HELLO, 0, n(u, "issuer_id")) + e_k, "M1")
        expect(m2 == struct.pack("<BBHIQQQ", VERSION, T_CHALLENGE, 0, n(u, "lock_id"),
                                 n(u, "lock_time"), n(u, "revlist_version"), n(u, "beacon_time"))
               + b(u, "challenge_nonce") + e_l, "M2")
        h1 = H(H(b"portvakt-unlock-v1") + m1)
        h2 = H(h1 + m2)
        expect(h1 == b(u, "h1") and h2 == b(u, "h2"), "transcript h1/h2")
        dh = x25519(b(u, "key_rand"), e_l)
        expect(dh == x25519(l_sk, e_k), "ephemeral DH disagrees")
        k1 = H(b"PV1k1" + h2, key=dh)
        expect(k1 == b(u, "k1"), "k1")
        inner = b(u, "present_inner")
        expect(check_present_inner(inner, ctx) == n(u, "lock_id"), "M3 right is for another lock")
        sealed_len = len(inner) + 16
        expect(m3[:4] == struct.pack("<BBH", VERSION, T_PRESENT, sealed_len), "M3 header")
        expect(m3[4:4 + sealed_len] == xchacha_seal(k1, nonce(0), h2, inner), "M3 sealed inner")
        h3 = H(h2 + m3[:4 + sealed_len])
        expect(h3 == b(u, "h3"), "h3")
        dh_s = x25519(ctx["bearer_x_sk"], e_l)
        expect(dh_s == x25519(l_sk, ctx["bearer_x_pk"]), "static DH disagrees")
        k2 = H(b"PV1k2" + k1 + h3, key=dh_s)
        expect(k2 == b(u, "k2"), "k2")
        expect(m3[4 + sealed_len:] == xchacha_seal(k2, nonce(1), h3, b""), "M3 possession tag")
        rin = b(u, "result_inner")
        status, _, _, flags, blen = struct.unpack("<bQHBH", rin[:14])
        expect(len(rin) == 14 + blen and flags & ~0x07 == 0, "M4 inner layout")
        refused = name == "unlock_refused"
        if refused:
            expect(status == -41 and blen == 0, "refused M4 inner")
        else:
            expect(status == 0 and rin[14:] == ctx["logbatch"], "M4 inner")
        key_sel, key = (1, k1) if refused else (2, k2)
        expect(m4[:6] == struct.pack("<BBBBH", VERSION, T_RESULT, key_sel, 0, len(rin) + 16),
               "M4 header")
        expect(m4[6:] == xchacha_seal(key, nonce(2), h3, rin), "M4 sealed inner")


CHECKS = [("keys", check_keys), ("entry", check_entry), ("merkle", check_merkle),
          ("credential", check_credential), ("revlist", check_revlist),
          ("beacon", check_beacon), ("logbatch", check_logbatch), ("unlock", check_unlock)]


def self_test():
    """The primitives against published vectors, so a check failure blames the right side."""
    # RFC 7748 5.2 first X25519 vector
    k = bytes.fromhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4")
    u = bytes.fromhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")
    expect(x25519(k, u).hex() ==
           "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552", "X25519 self-test")
    # RFC 8032 7.1 test 1 (empty message)
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    expect(ed25519_pk(seed).hex() ==
           "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "Ed25519 pk self-test")
    expect(ed25519_sign(seed, b"")[:8].hex() == "e5564300c360ac72", "Ed25519 sign self-test")
    # RFC 8439 2.5.2 Poly1305
    pk = bytes.fromhex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b")
    expect(poly1305(pk, b"Cryptographic Forum Research Group").hex() ==
           "a8061dc1305136c6c22b8baf0c0127a9", "Poly1305 self-test")
    # draft-irtf-cfrg-xchacha 2.2.1 HChaCha20
    key = bytes(range(32))
    hn = bytes.fromhex("000000090000004a0000000031415927")
    expect(hchacha20(key, hn).hex() ==
           "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc", "HChaCha20 self-test")


def main():
    d = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent)
    try:
        self_test()
    except Failure as e:
        print("primitive self-test failed: %s" % e)
        return 1
    ctx, bad = {}, 0
    for name, fn in CHECKS:
        try:
            recs = parse(d / (name + ".hex"))
            fn(recs, ctx)
            print("%s.hex: %d records agree" % (name, len(recs)))
        except (Failure, KeyError, ValueError, struct.error, IndexError) as e:
            print("%s.hex: MISMATCH: %s: %s" % (name, type(e).__name__, e))
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
