#!/usr/bin/env bash
# Calls of leadtrail's JSON API with curl. Needs a running collector and its API token:
#   LEADTRAIL_API_TOKEN=… ./examples/api.sh [email]
# LEADTRAIL_URL defaults to the address `cargo xtask run` uses. Needs curl and jq.
set -euo pipefail

: "${LEADTRAIL_API_TOKEN:?set LEADTRAIL_API_TOKEN to an API token (cargo xtask run prints one)}"
BASE="${LEADTRAIL_URL:-http://127.0.0.1:8080}"
EMAIL="${1:-ada@example.org}"

api() {
  curl --silent --show-error --fail-with-body \
    --header "Authorization: Bearer ${LEADTRAIL_API_TOKEN}" \
    --header 'Accept: application/json' \
    "${BASE}$1"
  echo
}

# Submit a lead as a browser-less client would: JSON in, 201 + ids out. The lt_* fields are
# what the tracker adds to forms; here they are set by hand.
curl --silent --show-error --fail-with-body \
  --header 'Content-Type: application/json' --header 'Accept: application/json' \
  --data "{\"email\": \"${EMAIL}\", \"name\": \"Ada Lovelace\", \"lt_v\": \"1\",
           \"lt_last_source\": \"newsletter\", \"lt_last_medium\": \"email\",
           \"lt_last_campaign\": \"nov_digest\"}" \
  "${BASE}/f/api-example"
echo

# Find the person by e-mail (matched case-insensitively).
persons="$(api "/api/v1/persons?email=$(printf %s "${EMAIL}" | jq -sRr @uri)")"
echo "${persons}"
person_id="$(printf %s "${persons}" | jq -r '.items[0].id')"

# The person: first interaction and lead generation.
api "/api/v1/persons/${person_id}"

# Every submission, oldest first, each with its conversion touch and payload.
api "/api/v1/persons/${person_id}/submissions"

# The company created with the person (from the company field or the e-mail's domain).
company_id="$(api "/api/v1/persons/${person_id}" | jq -r '.company_id // empty')"
if [[ -n "${company_id}" ]]; then
  api "/api/v1/companies/${company_id}"
fi
