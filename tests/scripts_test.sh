#!/usr/bin/env bash
# The scripts' argument handling, without building anything: --help prints exactly the usage
# text (no lines of the script itself), and a bad argument stops at once with one message.
#   tests/scripts_test.sh <source dir>
set -uo pipefail
src=${1:?usage: scripts_test.sh <source dir>}
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

for script in demo test; do
  out=$("$src/scripts/$script" --help 2>&1) || fail "$script --help exited $?"
  [[ $(head -n 1 <<<"$out") == "usage: scripts/$script "* ]] || fail "$script --help: first line: $(head -n 1 <<<"$out")"
  if grep -nE '^(set -|cd |#!|\s*(esac|done|fi)$)|sed -n' <<<"$out"; then
    fail "$script --help prints lines of the script"
  fi
  out=$("$src/scripts/$script" --no-such-flag 2>&1) && fail "$script accepted --no-such-flag"
  [[ $(wc -l <<<"$out") -eq 1 && $out == *"unknown argument '--no-such-flag'"* ]] ||
    fail "$script --no-such-flag: $out"
done

out=$("$src/scripts/demo" --kubeconfig /nonexistent/kubeconfig 2>&1) && fail "demo accepted a missing kubeconfig"
[[ $out == "scripts/demo: cannot read the kubeconfig '/nonexistent/kubeconfig'" ]] ||
  fail "demo --kubeconfig missing: $out"
out=$("$src/scripts/demo" --kubeconfig 2>&1) && fail "demo accepted --kubeconfig without a path"
[[ $out == "scripts/demo: --kubeconfig needs a PATH (try --help)" ]] || fail "demo --kubeconfig: $out"
out=$("$src/scripts/test" --preset 2>&1) && fail "test accepted --preset without a name"
[[ $(wc -l <<<"$out") -eq 1 ]] || fail "test --preset: $out"

[[ $failures -eq 0 ]] && echo "scripts: all checks passed"
exit $((failures > 0))
