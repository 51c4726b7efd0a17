#!/usr/bin/env bash
# Run benchmarks of two trees in alternation on one machine, so that its noise hits both alike:
#   bench/alternate.sh OLD_TREE OLD_PYTHON NEW_TREE NEW_PYTHON OUT_DIR ROUNDS NAME...
# e.g. a checkout of the last release (git worktree add /tmp/old v0.2) with its own venv:
#   bench/alternate.sh /tmp/old /tmp/old-venv/bin/python . .venv/bin/python /tmp/bench 3 request server
# Each run's table goes to OUT_DIR/NAME-{old,new}-ROUND.txt; compare medians across rounds.
set -euo pipefail
old_tree=$1 old_python=$2 new_tree=$3 new_python=$4 out=$5 rounds=$6
shift 6
mkdir -p "$out"
for round in $(seq "$rounds"); do
    for name in "$@"; do
        (cd "$old_tree" && "$old_python" bench/run.py "$name") > "$out/$name-old-$round.txt" 2>&1
        (cd "$new_tree" && "$new_python" bench/run.py "$name") > "$out/$name-new-$round.txt" 2>&1
    done
done
echo "tables in $out"
