#!/bin/sh
# Prints an ExecCredential carrying a client certificate read from $EXEC_CERT_FILE and
# $EXEC_KEY_FILE (PEM), JSON-escaped.
set -eu
esc() { awk 'BEGIN { ORS = "" } { gsub(/"/, "\\\""); print $0 "\\n" }' "$1"; }
cat <<JSON
{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
 "status": {"clientCertificateData": "$(esc "$EXEC_CERT_FILE")",
            "clientKeyData": "$(esc "$EXEC_KEY_FILE")"}}
JSON
