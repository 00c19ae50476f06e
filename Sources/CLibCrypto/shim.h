#ifndef NOTICE_AUDIT_LIBCRYPTO_SHIM_H
#define NOTICE_AUDIT_LIBCRYPTO_SHIM_H

/* OpenSSL's libcrypto (Debian libssl-dev, 3.0): DKIM public keys (RFC 6376 §3.6.1, RFC 8463). */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/rsa.h>
#include <openssl/err.h>

/* A decoded RSA key as an EVP_PKEY (which then owns it), or NULL when decoding failed or left
   bytes over (`whole` false). */
static inline EVP_PKEY *cdkim_wrap_rsa(RSA *rsa, int whole) {
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
    if (rsa == NULL) return NULL;
    if (!whole) { RSA_free(rsa); return NULL; }
    EVP_PKEY *key = EVP_PKEY_new();
    if (key == NULL || EVP_PKEY_assign_RSA(key, rsa) != 1) { RSA_free(rsa); EVP_PKEY_free(key); return NULL; }
    return key;
#pragma clang diagnostic pop
}

/* RSAPublicKey (PKCS#1) as an EVP_PKEY: d2i_RSAPublicKey is deprecated in 3.0 but present;
   the call is kept here, in one place, so Swift sees no deprecation. */
static inline EVP_PKEY *cdkim_pkcs1_rsa_public_key(const unsigned char *bytes, long length) {
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
    const unsigned char *cursor = bytes;
    return cdkim_wrap_rsa(d2i_RSAPublicKey(NULL, &cursor, length), cursor == bytes + length);
#pragma clang diagnostic pop
}

/* An RSA SubjectPublicKeyInfo through OpenSSL's legacy ASN.1 path (d2i_RSA_PUBKEY), about four
   times faster than d2i_PUBKEY's decoder framework in OpenSSL 3.0 (measured: 200 µs a key);
   NULL for anything else, which then goes through cdkim_spki_public_key to say what it is. */
static inline EVP_PKEY *cdkim_spki_rsa_public_key(const unsigned char *bytes, long length) {
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
    const unsigned char *cursor = bytes;
    return cdkim_wrap_rsa(d2i_RSA_PUBKEY(NULL, &cursor, length), cursor == bytes + length);
#pragma clang diagnostic pop
}

/* SubjectPublicKeyInfo of any algorithm, consuming exactly `length` bytes. */
static inline EVP_PKEY *cdkim_spki_public_key(const unsigned char *bytes, long length) {
    const unsigned char *cursor = bytes;
    EVP_PKEY *key = d2i_PUBKEY(NULL, &cursor, length);
    if (key != NULL && cursor != bytes + length) { EVP_PKEY_free(key); return NULL; }
    return key;
}

#endif
