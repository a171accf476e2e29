#!/bin/sh
# Fails like a plugin whose cloud login expired.
echo "error: the SSO session has expired; run 'login' again" >&2
exit 3
