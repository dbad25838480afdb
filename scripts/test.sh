#!/usr/bin/env bash
# Herald's test command: installs what is missing, then runs every test twice — on the real clock, and with the
# clock moved 400 days ahead (HERALD_TEST_CLOCK_OFFSET), so no test can depend on the week it was written in.
# Extra arguments go to both `swift test` runs (e.g. --filter ClockTests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The README's curl flows are run as written by a test: curl must be there.
if ! command -v curl >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends curl >/dev/null
fi
echo "herald test: the suite on the real clock" >&2
swift test "$@"
echo "herald test: the suite again with HERALD_TEST_CLOCK_OFFSET=400d" >&2
HERALD_TEST_CLOCK_OFFSET=400d swift test "$@"
