#!/usr/bin/env bash
# Cake bootstrapper: restores the pinned tools, then runs build.cake with the given arguments.
set -euo pipefail
cd "$(dirname "$0")"
dotnet tool restore >/dev/null
exec dotnet cake build.cake "$@"
