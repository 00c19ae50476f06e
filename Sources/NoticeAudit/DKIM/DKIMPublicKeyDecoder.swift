import CLibCrypto

/// Decodes and measures DKIM public keys with OpenSSL's libcrypto: the only code that touches it.
///
/// RSA keys come as a SubjectPublicKeyInfo (RFC 6376 §3.6.1) or, as some signers publish them
/// and verifiers accept, as a bare PKCS#1 RSAPublicKey; Ed25519 keys as the 32 raw bytes of
/// RFC 8463 §4.2. Each call owns its EVP_PKEY and frees it before returning: nothing is shared,
/// so it is safe from any thread.
enum DKIMPublicKeyDecoder {
    /// A decoded key: its algorithm and size in bits (the RSA modulus; 256 for Ed25519).
    struct Key: Equatable {
        enum Kind: String { case rsa, ed25519 }
        var kind: Kind
        var bits: Int
    }

    /// Why the key bytes are not a key of the expected type.
    struct Failure: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    static func rsa(_ der: [UInt8]) -> Result<Key, Failure> {
        guard !der.isEmpty else { return .failure(Failure(description: "the key is empty")) }
        let key: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            cdkim_spki_rsa_public_key(buffer.baseAddress, buffer.count)
                ?? cdkim_pkcs1_rsa_public_key(buffer.baseAddress, buffer.count)
                ?? cdkim_spki_public_key(buffer.baseAddress, buffer.count)
        }
        ERR_clear_error()
        guard let key else {
            return .failure(Failure(description: "the p= value is neither an RSA SubjectPublicKeyInfo nor an RSAPublicKey (DER)"))
        }
        defer { EVP_PKEY_free(key) }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA else {
            return .failure(Failure(description: "k=rsa, but p= holds a key of another algorithm"))
        }
        return .success(Key(kind: .rsa, bits: Int(EVP_PKEY_get_bits(key))))
    }

    static func ed25519(_ raw: [UInt8]) -> Result<Key, Failure> {
        guard raw.count == 32 else {
            return .failure(Failure(description: "an Ed25519 key is 32 bytes (RFC 8463 §4.2); p= holds \(raw.count)"))
        }
        let key = raw.withUnsafeBufferPointer { EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count) }
        ERR_clear_error()
        guard let key else { return .failure(Failure(description: "OpenSSL does not accept p= as an Ed25519 key")) }
        defer { EVP_PKEY_free(key) }
        // OpenSSL says 253 (the curve's security bits); the interface reports the key size, 256.
        return .success(Key(kind: .ed25519, bits: 256))
    }
}
