#!/usr/bin/env bash
# Lays out a release of the Fiji plugin: the update-site folder that `mvn package` makes
# (imagej-plugin/target/fiji: plugins/, jars/, lib/<platform>/) plus model bundles under
# models/maclip/<name>/, ready to upload with Fiji's own Updater (MAINTAINERS.md, "Releasing").
#
# Usage: imagej-plugin/release.sh OUT [BUNDLE[=NAME] ...]
#   BUNDLE: a bundle folder or .zip (maclip-pytorch export ... [--zip]); NAME defaults to its
#   file name without .zip. Each bundle is checked with `maclip info` (manifest, crc32) before
#   it is copied, and its copy's sha256 verified against the manifest with `maclip info --verify`,
#   which leaves the sha256.verified record that the plugin reads (so results name a verified
#   sha256). OUT must not exist yet.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
out="${1:?usage: imagej-plugin/release.sh OUT [BUNDLE[=NAME] ...]}"
shift
[ ! -e "$out" ] || { echo "release.sh: $out exists; give a new folder" >&2; exit 2; }

echo "== building the plugin and its update-site folder (mvn package)"
(cd "$root" && mvn -B -q -pl imagej-plugin -am package -DskipTests)
mkdir -p "$out"
cp -R "$root/imagej-plugin/target/fiji/." "$out/"

for arg in "$@"; do
  bundle="${arg%%=*}"
  name="$(basename "${bundle%.zip}")"
  [ "$arg" = "$bundle" ] || name="${arg#*=}"
  [[ "$name" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] \
    || { echo "release.sh: '$name' is not a model name (letters, digits, . - _)" >&2; exit 2; }
  echo "== model $name from $bundle"
  "$root/maclip" info --model "$bundle" >/dev/null
  target="$out/models/maclip/$name"
  mkdir -p "$target"
  # The bundle's files (Bundle.FILES); selfcheck.f32 is absent from bundles exported before
  # self-checks (unzip's status 11: a name not found).
  if [ -d "$bundle" ]; then
    for file in maclip.json visual.onnx selfcheck.f32; do
      [ ! -e "$bundle/$file" ] || cp "$bundle/$file" "$target/"
    done
  else
    unzip -q -j "$bundle" maclip.json visual.onnx selfcheck.f32 -d "$target" || [ "$?" = 11 ]
  fi
  "$root/maclip" info --verify --model "$target" | grep '^onnx:'
done

echo "== $out: what a user downloads on each platform (plugins/, jars/, models/ and lib/<platform>/)"
common=$(du -sb "$out/plugins" "$out/jars" | awk '{s += $1} END {print s}')
[ -d "$out/models" ] && common=$((common + $(du -sb "$out/models" | cut -f1)))
for platform in "$out"/lib/*/; do
  size=$(du -sb "$platform" | cut -f1)
  printf '  %-12s %6.1f MB\n' "$(basename "$platform")" "$(echo "($common + $size) / 1000000" | bc -l)"
done
