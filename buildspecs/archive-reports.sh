#!/usr/bin/env bash
# Copy one stage's secpipe output to the artifact bucket, encrypted with the
# pipeline's KMS key, in pipeline/archive's layout (`secpipe archive upload`, so
# the layout has one definition, the one the ingest Lambda reads back):
#   s3://$ARTIFACT_BUCKET/reports/<repo>/<branch>/<build id>/<tool>/<raw report>
#   s3://$ARTIFACT_BUCKET/reports/<repo>/<branch>/<build id>/<file>   (summary.json, report.html, ...)
# Each part is percent-encoded, so a branch such as feature/x stays one part.
# Called from post_build, which CodeBuild runs even when the scan failed the
# gate: the evidence is kept either way.
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

secpipe archive upload "$out_dir" --bucket "$ARTIFACT_BUCKET" --kms-key-id "$ARTIFACT_KEY_ARN" \
  --repo "$SECPIPE_REPO" --branch "$SECPIPE_BRANCH" --build-id "$CODEBUILD_BUILD_ID"
