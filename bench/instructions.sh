#!/usr/bin/env bash
# Instructions per webhook (every thread of the process), counted by callgrind: the
# difference between 2,500 and 500 requests of one app, over 2,000. The machine's load does
# not move it (wall time does), so two trees compare on a shared machine:
#   bench/instructions.sh PYTHON CONFIG     (CONFIG: see bench/instructions.py)
set -euo pipefail
python=$1 config=$2
here=$(cd "$(dirname "$0")" && pwd)
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        "$python" "$here/instructions.py" "$config" "$1" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
few=$(count 500)
many=$(count 2500)
echo "$config $(((many - few) / 2000)) instructions a webhook"
