#!/bin/sh
# Makes a throwaway CA and a certificate for 127.0.0.1 in DIR (ca.pem, server.pem,
# server.key; valid two days, or PV_CA_DAYS) for local TLS runs of portvakt-server: the district, the
# simulator's tests and the benches. Usage: scripts/test-ca.sh DIR
set -eu
DIR=${1:?usage: scripts/test-ca.sh DIR}
DAYS=${PV_CA_DAYS:-2}
cd "$DIR"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
    -out ca.pem -days "$DAYS" -subj /CN=portvakt-local-ca 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key \
    -out server.csr -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
    -days "$DAYS" -extfile server.ext 2>/dev/null
