# shellcheck shell=bash
# `scripts/ceph-test-cluster.sh check`: an S3 round trip, versioning and Object Lock against the running cluster,
# every request signed by curl --aws-sigv4 (no SDK needed). Sourced by ceph-test-cluster.sh, which defines
# s3, healthy, log, die and the ENDPOINT/ACCESS_KEY/SECRET_KEY/REGION/DIR variables.
# Ceph 16 checks x-amz-content-sha256, which curl 7.88 does not send by itself: every request sets UNSIGNED-PAYLOAD.

# s3_code METHOD PATH [curl args...]: signed S3 request, prints only the HTTP status
s3_code() {
  local method=$1 path=$2
  shift 2
  curl -sS -o /dev/null -w '%{http_code}' --max-time 30 --aws-sigv4 "aws:amz:${REGION}:s3" \
    --user "${ACCESS_KEY}:${SECRET_KEY}" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X "$method" "$@" "${ENDPOINT}${path}"
}

# expect_status WANT WHAT METHOD PATH [curl args...]: one signed request that must answer HTTP status WANT
expect_status() {
  local want=$1 what=$2 got
  shift 2
  got=$(s3_code "$@") || true
  [ "$got" = "$want" ] || die "check: $what: expected HTTP $want, got $got ($1 $2)"
  log "check: $what -> $got"
}

# s3_has PATH PATTERN: a signed GET whose body contains PATTERN
s3_has() {
  local out
  out=$(s3 GET "$1") && grep -q -- "$2" <<<"$out"
}

# version_id HEADERS_FILE: the x-amz-version-id a PUT answered
version_id() { tr -d '\r' <"$1" | awk 'tolower($1) == "x-amz-version-id:" { print $2 }'; }

# Query strings are written in SigV4 canonical form (sorted, "key=" for bare keys, values encoded):
# curl 7.88 signs the query exactly as given.
cmd_check() {
  healthy || die "check: the cluster in $DIR is not healthy; run: $0 up"
  local tmp b="bevara-check-$$" lb="bevara-check-lock-$$" v1 v2 vc until
  tmp=$(mktemp -d /tmp/bevara-ceph-check.XXXXXX)
  # shellcheck disable=SC2064
  trap "rm -rf -- '$tmp'" EXIT
  head -c 300000 /dev/urandom >"$tmp/body"
  expect_status 200 "CreateBucket" PUT "/$b"
  expect_status 200 "PutObject 300 kB" PUT "/$b/dir/object.bin" -T "$tmp/body"
  s3 GET "/$b/dir/object.bin" -o "$tmp/back" || die "check: GetObject failed"
  cmp -s "$tmp/body" "$tmp/back" || die "check: GetObject returned other bytes than were put"
  log "check: GetObject returns the same bytes"
  s3_has "/$b?list-type=2&prefix=dir%2F" '<Key>dir/object.bin</Key>' || die "check: ListObjectsV2 misses the object"
  log "check: ListObjectsV2 lists the object"
  expect_status 404 "GetObject of a missing key" GET "/$b/missing"
  expect_status 204 "DeleteObject" DELETE "/$b/dir/object.bin"
  expect_status 204 "DeleteBucket" DELETE "/$b"

  expect_status 200 "CreateBucket with Object Lock" PUT "/$lb" -H "x-amz-bucket-object-lock-enabled: true"
  s3_has "/$lb?versioning=" '<Status>Enabled</Status>' || die "check: versioning is not enabled on $lb"
  log "check: versioning enabled by Object Lock"
  until=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
  s3 PUT "/$lb/k" -T "$tmp/body" -D "$tmp/h1" -H "x-amz-object-lock-mode: GOVERNANCE" \
    -H "x-amz-object-lock-retain-until-date: $until" >/dev/null || die "check: PutObject with retention failed"
  s3 PUT "/$lb/k" -T "$tmp/body" -D "$tmp/h2" >/dev/null || die "check: PutObject of a second version failed"
  v1=$(version_id "$tmp/h1") v2=$(version_id "$tmp/h2")
  [[ -n "$v1" && -n "$v2" && "$v1" != "$v2" ]] || die "check: two PUTs did not make two versions ($v1, $v2)"
  local listing
  listing=$(s3 GET "/$lb?versions=") || die "check: ListObjectVersions failed"
  [ "$(grep -o '<Version>' <<<"$listing" | wc -l)" -eq 2 ] || die "check: ListObjectVersions does not list 2 versions"
  log "check: two versions listed"
  s3_has "/$lb/k?retention=&versionId=$v1" '<Mode>GOVERNANCE</Mode>' || die "check: GetObjectRetention"
  expect_status 403 "DeleteObject of a GOVERNANCE version" DELETE "/$lb/k?versionId=$v1"
  expect_status 204 "the same with x-amz-bypass-governance-retention" DELETE "/$lb/k?versionId=$v1" \
    -H "x-amz-bypass-governance-retention: true"
  until=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%SZ)
  s3 PUT "/$lb/c" -T "$tmp/body" -D "$tmp/h3" -H "x-amz-object-lock-mode: COMPLIANCE" \
    -H "x-amz-object-lock-retain-until-date: $until" >/dev/null || die "check: PutObject in COMPLIANCE mode failed"
  vc=$(version_id "$tmp/h3")
  expect_status 403 "DeleteObject of a COMPLIANCE version, even with bypass" DELETE "/$lb/c?versionId=$vc" \
    -H "x-amz-bypass-governance-retention: true"
  sleep 4
  expect_status 204 "the same after the retention date" DELETE "/$lb/c?versionId=$vc"
  expect_status 204 "DeleteObject of the last version" DELETE "/$lb/k?versionId=$v2"
  expect_status 204 "DeleteBucket" DELETE "/$lb"
  log "check passed: S3 round trip, versioning, Object Lock (GOVERNANCE, COMPLIANCE) at $ENDPOINT"
}
