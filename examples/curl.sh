#!/usr/bin/env bash
# Calls the kinematics service with curl alone: lists the robots, reads the UR5e, then computes
# forward kinematics, a Jacobian with singularity analysis, its time derivative, the Hessian, a
# manipulability gradient, one IK step, a full IK solve, and a velocity command with null-space
# motion on the 7-joint iiwa.
# Every response body is printed; the script stops with curl's exit code at the first call that
# fails (curl --fail-with-body: an HTTP error prints its problem+json body, then exits 22).
#
#   examples/curl.sh                          # the service at http://127.0.0.1:8080
#   examples/curl.sh http://localhost:8080    # or BASE_URL=... examples/curl.sh
#
# Needs bash and curl 7.76 or later. Bodies as in openapi/openapi.json; SI units, q in the
# robot's active-joint order (GET /robots/ur5e), quaternions [x, y, z, w].
set -euo pipefail

BASE_URL="${1:-${BASE_URL:-http://127.0.0.1:8080}}"
BASE_URL="${BASE_URL%/}"

Q='[0, -1.2, 1.5, -1.9, -1.57, 0]'
TARGET='{"position": [0.45, 0.15, 0.35], "quaternion": [0.7071068, 0.7071068, 0, 0]}'

# call <title> <method> <path> [json body]
call() {
  local title=$1 method=$2 path=$3 body=${4-}
  local args=(--silent --show-error --fail-with-body --max-time 30 -X "$method" -H 'accept: application/json')
  if [[ -n $body ]]; then
    args+=(-H 'content-type: application/json' --data-binary "$body")
  fi
  printf '== %s: %s %s\n' "$title" "$method" "$path"
  local status=0
  curl "${args[@]}" "$BASE_URL$path" || status=$?
  printf '\n'
  if ((status != 0)); then
    printf '%s failed: %s %s%s (curl exit code %d)\n' "$title" "$method" "$BASE_URL" "$path" "$status" >&2
    exit "$status"
  fi
}

call 'robots' GET /robots
call 'robot' GET /robots/ur5e
call 'forward kinematics' POST /robots/ur5e/fk \
  "{\"q\": $Q, \"links\": [\"tool0\", \"wrist_3_link\"]}"
call 'jacobian' POST /robots/ur5e/jacobian \
  "{\"q\": $Q, \"tip\": \"tool0\", \"referenceFrame\": \"LOCAL_WORLD_ALIGNED\", \"analysis\": true}"
call 'jacobian derivative' POST /robots/ur5e/jacobian/derivative \
  "{\"q\": $Q, \"qdot\": [0.1, 0.2, -0.1, 0.3, 0.1, -0.2], \"qddot\": [0, 0, 0, 0, 0, 1]}"
call 'hessian' POST /robots/ur5e/hessian \
  "{\"q\": $Q, \"referenceFrame\": \"LOCAL\"}"
call 'manipulability' POST /robots/ur5e/manipulability \
  "{\"q\": $Q, \"measure\": \"sigmaMin\", \"axes\": \"translation\"}"
call 'ik step' POST /robots/ur5e/ik/step \
  "{\"q\": $Q, \"target\": $TARGET}"
call 'ik solve' POST /robots/ur5e/ik/solve \
  "{\"target\": $TARGET, \"seed\": $Q}"
call 'ik velocity in the null space' POST /robots/kuka_iiwa14/ik/velocity \
  '{"q": [0.2, 0.5, 0.4, -1.3, 0.4, 1.0, 0.1], "twist": {"linear": [0, -0.05, 0], "angular": [0, 0, 0]}, "nullspace": {"objective": "manipulability", "gain": 20}}'
printf 'all calls succeeded\n'
