#!/bin/sh
# A short soak of the default store: gunicorn with 4 sync workers serving the bench app
# (bench/bench_request.py, no TWHOOKS_STORE: an SQLite file in the instance folder) under wrk
# for SECONDS, every request a fresh idempotency token; prints the requests and the size of
# the database and its WAL, and the stored replies, when the load stops.
#
#     bench/soak.sh PYTHON [SECONDS]      # PYTHON: a virtualenv's python with twhooks installed
set -eu
PYTHON=$1
SECONDS_=${2:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PORT=$($PYTHON -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BENCH_STORE=default BENCH_INSTANCE=$WORK PYTHONPATH=$HERE \
    $PYTHON -m gunicorn 'bench_request:twhooks_app()' --chdir "$HERE" --workers 4 \
    --bind 127.0.0.1:$PORT --log-level error &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
sleep 3
SCRIPT=$WORK/soak.lua
$PYTHON - "$SCRIPT" "$PORT" <<'PY'
import sys
from urllib.parse import urlencode
sys.path.insert(0, "bench")
from bench_request import PATH, SMS, TOKEN
from twilio.request_validator import RequestValidator
script, port = sys.argv[1], sys.argv[2]
signature = RequestValidator(TOKEN).compute_signature(f"http://127.0.0.1:{port}{PATH}", SMS)
with open(script, "w") as out:
    out.write(f"""
counter = 0
request = function()
  counter = counter + 1
  wrk.headers["I-Twilio-Idempotency-Token"] = "soak-" .. counter .. "-" .. math.random(1000000000)
  wrk.headers["X-Twilio-Signature"] = "{signature}"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=UTF-8"
  return wrk.format("POST", "{PATH}", nil, "{urlencode(SMS)}")
end
""")
PY
wrk -t1 -c8 -d${SECONDS_}s --latency -s "$SCRIPT" "http://127.0.0.1:$PORT" | grep -E "requests in|Requests/sec|99%|Non-2xx"
sizes() {
    ls -l "$WORK"/twhooks.sqlite3* | awk '{printf "  %s %.1f MB\n", $NF, $5 / 1048576}'
    $PYTHON -c "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); print('  stored replies:', db.execute('SELECT count(*) FROM twhooks_claims').fetchone()[0])" "$WORK/twhooks.sqlite3"
}
echo "when the load stops:"; sizes
