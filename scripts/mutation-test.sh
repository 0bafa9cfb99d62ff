#!/usr/bin/env bash
# Mutation testing of the security logic with Stryker.NET (docs/security.md, "Mutation testing").
# NOTE: Stryker 5.1.0 does not activate mutants under xunit v3 (stryker-net#3117): every score it
# prints for these sets is false until the tests run under a runner it can drive (see the docs).
# Slow and CPU heavy, so not part of ./test or CI: run it by hand after changing one of these files.
#
#   scripts/mutation-test.sh                 # every set below, one after the other
#   scripts/mutation-test.sh access names    # only those sets
#
# Each set mutates some source files and runs the unit tests that need no container engine.
# Reports (HTML and JSON) go to artifacts/mutation/<set>/reports/. Runs hold /tmp/paas-cpu.lock
# (shared with other builds on this machine) and use MUTATION_CONCURRENCY processes (default 1).
set -euo pipefail
set -f # the globs below are for Stryker, not for this shell

root="$(cd "$(dirname "$0")/.." && pwd)"
concurrency="${MUTATION_CONCURRENCY:-1}"

# set name → test project directory, project under test, files to mutate (globs from that project),
# and the test classes that exercise them. Stryker's per-test coverage capture fails with xunit v3
# under vstest ("test coverage capture failed"), so without a filter every mutant would run the
# whole test project; the filter keeps a run to minutes.
declare -A test_dir project files tests
test_dir[access]=tests/Gitops.Engine.Tests
project[access]=Gitops.Engine.csproj
files[access]="**/Access/Authorizer.cs **/Access/Principal.cs **/Access/Role.cs **/Access/LoginThrottle.cs **/Access/People.cs **/Access/Tokens.cs **/Access/Sessions.cs"
tests[access]="AuthorizerTests|AccessRulesTests|PeopleTests|PasswordTests|LoginThrottleTests|TokensAndSessionsTests"

test_dir[names]=tests/Gitops.Engine.Tests
project[names]=Gitops.Engine.csproj
files[names]="**/Desired/Names.cs"
tests[names]="NamesTests|LegacyNamesMigrationTests|OwnershipTests|PlannerGoldenTests"

test_dir[audit]=tests/Gitops.Engine.Tests
project[audit]=Gitops.Engine.csproj
files[audit]="**/Audit/AuditLog.cs"
tests[audit]="AuditLogTests"

test_dir[policy]=tests/Gitops.Server.Tests
project[policy]=Gitops.Providers.Docker.csproj
files[policy]="**/ContainerPolicy.cs"
tests[policy]="ContainerPolicyTests"

test_dir[webhooks]=tests/Gitops.Server.Tests
project[webhooks]=Gitops.Server.csproj
files[webhooks]="**/Webhooks.cs"
tests[webhooks]="WebhookVerificationTests"

all=(access names audit policy webhooks)
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=("${all[@]}")

cd "$root"
dotnet tool restore >/dev/null

for set in "${sets[@]}"; do
  [ -n "${test_dir[$set]:-}" ] || { echo "unknown set '$set'; known: ${all[*]}" >&2; exit 2; }
  args=(stryker --project "${project[$set]}" --configuration Release --concurrency "$concurrency"
        --reporter progress --reporter html --reporter json --reporter cleartext
        --output "$root/artifacts/mutation/$set")
  for glob in ${files[$set]}; do args+=(--mutate "$glob"); done
  filter=""
  IFS='|' read -ra classes <<<"${tests[$set]}"
  for class in "${classes[@]}"; do filter+="${filter:+|}FullyQualifiedName~$class"; done
  args+=(--test-case-filter "$filter")
  echo "== mutation testing: $set (${files[$set]})"
  (cd "${test_dir[$set]}" && flock /tmp/paas-cpu.lock dotnet "${args[@]}")
done
