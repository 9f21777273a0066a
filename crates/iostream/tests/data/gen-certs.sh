#!/usr/bin/env bash
# Generates the CA-signed TLS fixtures of tests/tls.rs (run once; the outputs are
# committed). test.crt/test.key are Python Tornado's own test certificate (self-signed,
# CN and SAN foo.example.com, valid to 2033), copied from tornado/test/.
#
#   cd crates/iostream/tests/data && bash gen-certs.sh
#
# Writes: ca.crt/ca.key (a CA), server.crt/server.key (signed by it, for localhost,
# foo.example.com and 127.0.0.1), client.crt/client.key (a client certificate signed by
# it), other-ca.crt/other-ca.key (a CA nobody trusts) and untrusted-client.crt/.key
# (a client certificate signed by that other CA). ECDSA P-256, valid for 100 years.
set -euo pipefail
days=36500
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

ca() { # name subject
    key "$1.key"
    openssl req -x509 -new -key "$1.key" -sha256 -days "$days" -subj "$2" -out "$1.crt" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign"
}

leaf() { # name subject ca extensions
    key "$1.key"
    openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
    printf '%s\n' "$4" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial \
        -sha256 -days "$days" -extfile "$1.ext" -out "$1.crt"
    rm -f "$1.csr" "$1.ext" "$3.srl"
}

ca ca "/CN=tornado-rs test CA"
ca other-ca "/CN=tornado-rs untrusted CA"
leaf server "/CN=localhost" ca "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,DNS:foo.example.com,IP:127.0.0.1"
leaf client "/CN=tornado-rs test client" ca "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
leaf untrusted-client "/CN=tornado-rs untrusted client" other-ca "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
