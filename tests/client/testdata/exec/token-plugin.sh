#!/bin/sh
# Prints an ExecCredential with a token. Each run appends a line to $EXEC_COUNTER_FILE and the
# token is "exec-token-<run number>". $EXEC_INFO_FILE receives KUBERNETES_EXEC_INFO;
# $EXEC_EXPIRY (RFC 3339), when set, becomes status.expirationTimestamp.
set -eu
n=1
if [ -n "${EXEC_COUNTER_FILE:-}" ]; then
  echo run >> "$EXEC_COUNTER_FILE"
  n=$(wc -l < "$EXEC_COUNTER_FILE" | tr -d ' ')
fi
if [ -n "${EXEC_INFO_FILE:-}" ]; then
  printf '%s' "${KUBERNETES_EXEC_INFO:-}" > "$EXEC_INFO_FILE"
  printf '%s' "$*" > "$EXEC_INFO_FILE.args"
  printf '%s' "${PLUGIN_GREETING:-}" > "$EXEC_INFO_FILE.env"
fi
version=${EXEC_API_VERSION:-client.authentication.k8s.io/v1}
expiry=""
if [ -n "${EXEC_EXPIRY:-}" ]; then
  expiry=", \"expirationTimestamp\": \"$EXEC_EXPIRY\""
fi
cat <<JSON
{"apiVersion": "$version", "kind": "ExecCredential",
 "status": {"token": "exec-token-$n"$expiry}}
JSON
