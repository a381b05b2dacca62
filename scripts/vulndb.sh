#!/usr/bin/env bash
# Prints a file:// URL of the Go vulnerability database for govulncheck,
# building it first when it is not cached yet.
#
# These machines cannot reach vuln.go.dev, but the Go module proxy serves the
# database's source module, golang.org/x/vulndb (pseudo-versions only). Its
# cmd/indexdb turns the OSV files of one pinned snapshot into the layout
# govulncheck reads. The result is cached per snapshot under the user's cache
# directory; building it takes several minutes the first time (indexdb pulls
# many modules), afterwards nothing.
# Usage: scripts/vulndb.sh VERSION   (Makefile: VULNDB_VERSION)
set -euo pipefail
version=${1:?usage: $0 golang.org/x/vulndb pseudo-version}
go=${GO:-go}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/credworkbench/vulndb
dir=$cache/$version
if [ -f "$dir/index/db.json" ]; then
  echo "file://$dir"
  exit 0
fi
mkdir -p "$cache"
echo "Building the vulnerability database from golang.org/x/vulndb@$version (once; several minutes)" >&2
"$go" mod download golang.org/x/vulndb@"$version" >&2
src=$("$go" env GOMODCACHE)/golang.org/x/vulndb@$version/data/osv
tmp=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# indexdb is run from outside this module so its own go.mod decides its dependencies.
(cd "$tmp" && "$go" run golang.org/x/vulndb/cmd/indexdb@"$version" -vulns "$src" -out "$tmp/db") >&2
rm -rf "$dir"
mv "$tmp/db" "$dir"
echo "file://$dir"
