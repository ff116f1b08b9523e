#!/usr/bin/env bash
# Copy one stage's secpipe output (raw reports, findings, summary, reports) to the
# artifact bucket, encrypted with the pipeline's KMS key:
#   s3://$ARTIFACT_BUCKET/reports/<repo>/<branch>/<build id>/
# Each part is percent-encoded for '/' the way pipeline/archive names keys, so a
# branch such as feature/x stays one path part. Called from post_build, which
# CodeBuild runs even when the scan failed the gate: the evidence is kept either way.
set -euo pipefail

out_dir="${1:?usage: archive-reports.sh OUT_DIR}"
: "${ARTIFACT_BUCKET:?the CodeBuild project sets ARTIFACT_BUCKET}"
: "${ARTIFACT_KEY_ARN:?the CodeBuild project sets ARTIFACT_KEY_ARN}"
: "${SECPIPE_REPO:?the pipeline action sets SECPIPE_REPO}"
: "${SECPIPE_BRANCH:?the pipeline action sets SECPIPE_BRANCH}"
: "${CODEBUILD_BUILD_ID:?CodeBuild sets CODEBUILD_BUILD_ID}"

if [ ! -d "$out_dir" ]; then
  # The scan stopped before writing anything (a configuration error); the build has already failed.
  echo "archive-reports: no $out_dir, nothing to archive"
  exit 0
fi

encode() { local value="${1//%/%25}"; printf '%s' "${value//\//%2F}"; }
prefix="reports/$(encode "$SECPIPE_REPO")/$(encode "$SECPIPE_BRANCH")/$(encode "$CODEBUILD_BUILD_ID")"

aws s3 cp "$out_dir" "s3://${ARTIFACT_BUCKET}/${prefix}/" --recursive --only-show-errors \
  --sse aws:kms --sse-kms-key-id "$ARTIFACT_KEY_ARN"
echo "archive-reports: s3://${ARTIFACT_BUCKET}/${prefix}/"
