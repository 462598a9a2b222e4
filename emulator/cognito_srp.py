"""The server's half of Cognito's SRP sign-in (USER_SRP_AUTH), which moto does not check.

SRP-6a (RFC 5054 style) with Cognito's group: the 3072-bit N of RFC 3526 and g = 2, SHA-256.
The bytes follow Amplify JS v6 (`@aws-amplify/auth` `utils/srp`), which has to agree with
Cognito byte for byte:
- numbers are hashed as "padded hex": even length, and "00" in front when the top bit is set
  (a positive two's-complement value), not padded to the length of N;
- k = H(N || g), u = H(A || B), x = H(salt || H(poolName || userIdForSrp || ":" || password));
- the key is HKDF-SHA256(ikm = S, salt = u, info = "Caldera Derived Key") cut to 16 bytes;
- the client proves it with HMAC-SHA256(key, poolName || userIdForSrp || SECRET_BLOCK
  (base64-decoded) || TIMESTAMP), base64.
The verifier is derived from the password the emulation stores, at each challenge: the salt
may change between sign-ins, which clients accept since they read it from the challenge.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
G = 2
DERIVED_KEY_INFO = b"Caldera Derived Key"
SALT_BYTES = 16
SECRET_BYTES = 128  # the server's ephemeral b, as large as the client's a


class InvalidSrpValue(ValueError):
    """The client's SRP_A is not a usable number (not hex, or 0 mod N): the handshake cannot start."""


def padded_hex(number: int) -> str:
    """Hex of a non-negative number as the client hashes it: even length, "00" first if the top bit is set."""
    text = format(number, "x")
    if len(text) % 2:
        text = "0" + text
    return "00" + text if text[0] in "89abcdef" else text


def hash_hex(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K = int(hash_hex(padded_hex(N) + padded_hex(G)), 16)


def verifier(pool_name: str, user_id: str, password: str, salt: int) -> int:
    """v = g^x mod N, with x from the salt and the pool, user and password exactly as the client derives it."""
    secret_hash = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    return pow(G, int(hash_hex(padded_hex(salt) + secret_hash), 16), N)


def derived_key(shared_secret: int, scrambler: int) -> bytes:
    """HKDF-SHA256 (one block) of the shared secret S, salted with u, cut to 16 bytes."""
    prk = hmac.digest(bytes.fromhex(padded_hex(scrambler)), bytes.fromhex(padded_hex(shared_secret)), "sha256")
    return hmac.digest(prk, DERIVED_KEY_INFO + b"\x01", "sha256")[:16]


def claim_signature(key: bytes, pool_name: str, user_id: str, secret_block: str, timestamp: str) -> str:
    """The PASSWORD_CLAIM_SIGNATURE a client holding `key` sends for this challenge."""
    message = pool_name.encode() + user_id.encode() + decode_secret_block(secret_block) + timestamp.encode()
    return base64.b64encode(hmac.digest(key, message, "sha256")).decode()


def decode_secret_block(secret_block: str) -> bytes:
    """The SECRET_BLOCK's bytes; clients accept standard and URL-safe base64, padded or not."""
    text = secret_block.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        return b""


@dataclass(frozen=True)
class ServerChallenge:
    """One PASSWORD_VERIFIER challenge: what the server sent (salt, B) and what it needs to check the answer."""

    pool_name: str
    user_id: str
    salt: int
    client_public: int  # A
    server_secret: int  # b
    server_public: int  # B
    password_verifier: int  # v

    @classmethod
    def start(cls, pool_name: str, user_id: str, password: str, srp_a: str) -> ServerChallenge:
        """The challenge for a client that sent SRP_A, for the user whose stored password is `password`."""
        try:
            client_public = int(srp_a, 16)
        except (TypeError, ValueError):
            raise InvalidSrpValue("SRP_A is not a hexadecimal number") from None
        if client_public <= 0 or client_public % N == 0:
            raise InvalidSrpValue("SRP_A mod N cannot be 0")
        salt = int.from_bytes(secrets.token_bytes(SALT_BYTES), "big")
        password_verifier = verifier(pool_name, user_id, password, salt)
        while True:  # B mod N = 0 would let anyone pass; it is drawn again (odds ~2^-3072)
            server_secret = int.from_bytes(secrets.token_bytes(SECRET_BYTES), "big")
            server_public = (K * password_verifier + pow(G, server_secret, N)) % N
            if server_public:
                break
        return cls(pool_name, user_id, salt, client_public, server_secret, server_public, password_verifier)

    @property
    def salt_hex(self) -> str:
        return padded_hex(self.salt)

    @property
    def srp_b(self) -> str:
        return format(self.server_public, "x")

    def key(self) -> bytes:
        """The 16-byte key the client derives too, if it knows the password: S = (A * v^u)^b mod N."""
        scrambler = int(hash_hex(padded_hex(self.client_public) + padded_hex(self.server_public)), 16)
        shared = pow(self.client_public * pow(self.password_verifier, scrambler, N), self.server_secret, N)
        return derived_key(shared, scrambler)

    def accepts(self, secret_block: str, timestamp: str, signature: str) -> bool:
        """Whether the client's claim signature proves it knows the password (constant-time comparison)."""
        expected = claim_signature(self.key(), self.pool_name, self.user_id, secret_block, timestamp)
        return hmac.compare_digest(expected.encode(), (signature or "").encode())


def new_secret_block() -> str:
    """An opaque SECRET_BLOCK, base64 as Cognito's is (the client decodes it into the signed message)."""
    return base64.b64encode(secrets.token_bytes(64)).decode()
