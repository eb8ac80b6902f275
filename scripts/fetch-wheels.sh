#!/usr/bin/env bash
# Put the harness's Python dependencies, as wheels, into build/wheels/ for the harness image.
#
#   scripts/fetch-wheels.sh [PYTHON_VERSION]        e.g. 3.13 (default: the harness image's base)
#
# The image build itself never reaches a package index (an air-gapped engine's builds cannot):
# the host downloads binary wheels for the image's Python and CPU, plus pip's own wheel, which
# the Dockerfile runs to install them offline. The dependency list is pyproject.toml's.
# Skipped when build/wheels/ already holds the same set.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=build/wheels
BASE=${LAB_PYTHON_BASE:-}
if [[ -z $BASE && -f .env ]]; then BASE=$(sed -n 's/^LAB_PYTHON_BASE=//p' .env | tail -n1); fi
BASE=${BASE:-python:3.13-slim}

version=${1:-}
if [[ -z $version ]] && command -v docker >/dev/null && docker image inspect "$BASE" >/dev/null 2>&1; then
    version=$(docker run --rm --network none "$BASE" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
fi
version=${version:-3.13}
arch=$(uname -m)
requirements=$(python3 -c 'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))')
stamp="python $version $arch: $requirements pip"

if [[ -f $OUT/.stamp && $(cat "$OUT/.stamp") == "$stamp" ]]; then
    echo "== $OUT: wheels for Python $version ($arch) present, kept"
    exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT"
echo "== $OUT: wheels for Python $version on $arch: $requirements pip"
# shellcheck disable=SC2086  # the requirements are separate words
python3 -m pip download --quiet --disable-pip-version-check --dest "$OUT" --only-binary=:all: \
    --python-version "$version" --implementation cp \
    --platform "manylinux_2_28_$arch" --platform "manylinux_2_17_$arch" --platform "manylinux2014_$arch" \
    $requirements pip
echo "$stamp" >"$OUT/.stamp"
echo "== $OUT: $(ls "$OUT"/*.whl | wc -l) wheels, $(du -sh "$OUT" | cut -f1)"
