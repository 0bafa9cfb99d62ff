#!/usr/bin/env bash
# Mutation testing of the security logic with Stryker.NET (docs/security.md, "Mutation testing").
# The tests run from tests/mutation/Gitops.Mutation.Tests: the same test sources compiled against
# xunit v2, because Stryker 5.1.0 does not activate its mutants under xunit v3 (stryker-net#3117).
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

# set name → project under test, files to mutate (globs from that project), and the test classes
# that exercise them (the filter keeps Stryker's initial run and each mutant's run short).
test_dir=tests/mutation/Gitops.Mutation.Tests
declare -A project files tests
project[access]=Gitops.Engine.csproj
files[access]="**/Access/Authorizer.cs **/Access/Principal.cs **/Access/Role.cs **/Access/LoginThrottle.cs **/Access/People.cs **/Access/Tokens.cs **/Access/Sessions.cs"
tests[access]="AuthorizerTests|AccessRulesTests|PeopleTests|PasswordTests|LoginThrottleTests|TokensAndSessionsTests"

project[names]=Gitops.Engine.csproj
files[names]="**/Desired/Names.cs"
tests[names]="NamesTests|LegacyNamesMigrationTests|OwnershipTests|PlannerGoldenTests"

project[audit]=Gitops.Engine.csproj
files[audit]="**/Audit/AuditLog.cs"
tests[audit]="AuditLogTests"

project[policy]=Gitops.Providers.Docker.csproj
files[policy]="**/ContainerPolicy.cs"
tests[policy]="ContainerPolicyTests"

project[webhooks]=Gitops.Server.csproj
files[webhooks]="**/Webhooks.cs"
tests[webhooks]="WebhookVerificationTests"

all=(access names audit policy webhooks)
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=("${all[@]}")

cd "$root"
dotnet tool restore >/dev/null

for set in "${sets[@]}"; do
  [ -n "${project[$set]:-}" ] || { echo "unknown set '$set'; known: ${all[*]}" >&2; exit 2; }
  args=(stryker --project "${project[$set]}" --configuration Release --concurrency "$concurrency"
        --reporter progress --reporter html --reporter json --reporter cleartext
        --output "$root/artifacts/mutation/$set")
  for glob in ${files[$set]}; do args+=(--mutate "$glob"); done
  filter=""
  IFS='|' read -ra classes <<<"${tests[$set]}"
  for class in "${classes[@]}"; do filter+="${filter:+|}FullyQualifiedName~$class"; done
  args+=(--test-case-filter "$filter")
  echo "== mutation testing: $set (${files[$set]})"
  (cd "$test_dir" && flock /tmp/paas-cpu.lock dotnet "${args[@]}")
done
