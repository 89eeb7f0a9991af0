#!/usr/bin/env bash
# Working the leads with curl: a server-side submission, associates, status and owner,
# sales, consent, the privacy export and erasure. Needs a running collector and its token:
#   LEADTRAIL_API_TOKEN=… ./examples/leads.sh
# LEADTRAIL_URL defaults to the address `cargo xtask run` uses. Needs curl and jq.
set -euo pipefail

: "${LEADTRAIL_API_TOKEN:?set LEADTRAIL_API_TOKEN to an API token (cargo xtask run prints one)}"
BASE="${LEADTRAIL_URL:-http://127.0.0.1:8080}"

api() { # METHOD PATH [JSON]
  curl --silent --show-error --fail-with-body --request "$1" \
    --header "Authorization: Bearer ${LEADTRAIL_API_TOKEN}" \
    --header 'Content-Type: application/json' \
    ${3:+--data "$3"} "${BASE}$2"
  echo
}

# A chat transcript from a support tool: same rules and answer as a form post. A second
# call with the same external_id writes nothing and answers 200 with the same ids.
receipt="$(api POST /api/v1/submissions '{
  "form": "chat-widget", "channel": "chat", "email": "liv@example.org", "name": "Liv",
  "company": "Fjord Tools AS", "country": "NO",
  "first_interaction": {"source": "linkedin", "medium": "paid_social", "campaign": "webinar_sept"},
  "touch": {"source": "newsletter", "medium": "email", "campaign": "nov_digest"},
  "at": "2025-11-01T10:00:00Z", "payload": {"transcript": "T-1001"},
  "consent_e_marketing": true, "external_id": "chat-T-1001"}')"
echo "$receipt"
person="$(jq -r .person_id <<<"$receipt")"

# An owner, then the lead moves on (every status change is kept with its time).
owner="$(api POST /api/v1/associates '{"name": "Ola Seller", "email": "ola@sales.example"}' | jq -r .id)"
api PATCH "/api/v1/persons/${person}" "{\"status\": \"in_progress\", \"owner_id\": ${owner}}"
api PATCH "/api/v1/persons/${person}" '{"status": "qualified"}'
api GET "/api/v1/persons/${person}/status_changes"

# Attribution is read-only: this answers 422.
api PATCH "/api/v1/persons/${person}" '{"first_interaction": {"source": "google"}}' || true

# A sale: the amount is kept exactly (in cents); won sets closed_at.
sale="$(api POST /api/v1/sales "{\"person_id\": ${person}, \"title\": \"Annual licence\",
  \"amount\": \"12000.00\", \"currency\": \"NOK\", \"external_id\": \"erp-77\"}" | jq -r .id)"
api PATCH "/api/v1/sales/${sale}" '{"status": "won"}'
api GET "/api/v1/sales?person_id=${person}&status=won"

# Privacy: everything stored about the person, then erasure (the sale stays, unlinked).
api GET "/api/v1/persons/${person}/export"
api DELETE "/api/v1/persons/${person}"
api GET "/api/v1/sales/${sale}"
