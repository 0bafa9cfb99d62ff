#!/usr/bin/env bash
# Refreshes the dashboard's screenshots in docs/screenshots/ (docs/dashboard.md shows them): runs the
# UI tests (real Docker, a real Caddy, Debian's Chromium at /usr/bin/chromium) with PAAS_SCREENSHOTS
# set, so each page they visit is saved there in the light and the dark scheme (NAME.png,
# NAME-dark.png) after it passed axe-core. Without the variable the tests write to artifacts/screenshots.
#
#   scripts/screenshots.sh
#
# Builds first (the build makes the dashboard); both hold /tmp/paas-cpu2.lock, shared with other
# builds on this machine. Commit the PNGs that changed.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out=docs/screenshots
mkdir -p "$out"

flock /tmp/paas-cpu2.lock dotnet build tests/Gitops.IntegrationTests -c Release --nologo -v quiet -tl:off -clp:"ErrorsOnly;NoSummary"
PAAS_SCREENSHOTS="$out" flock /tmp/paas-cpu2.lock dotnet test tests/Gitops.IntegrationTests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~Gitops.IntegrationTests.UiTests"
echo "screenshots in $out:"
ls -1 "$out"
