#!/bin/sh
# Answers with v1beta1 whatever was asked.
echo '{"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": {"token": "x"}}'
