#!/bin/sh
# The Nu HTML checker (vnu), installed from the npm registry (package vnu-jar) into .cache/vnu.
#
#   scripts/vnu.sh                 install if missing, print the path of vnu.jar
#   scripts/vnu.sh FILE.html …     check files (needs a Java runtime: default-jre-headless)
#
# VNU_VERSION pins another release; the browser tests' HTML check runs it on every page they visit.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION=${VNU_VERSION:-26.9.27}
DIR="$ROOT/.cache/vnu"
JAR="$DIR/node_modules/vnu-jar/build/dist/vnu.jar"

if [ ! -f "$JAR" ] || [ "$(cat "$DIR/version" 2>/dev/null)" != "$VERSION" ]; then
    command -v npm >/dev/null || { echo "vnu.sh: npm is needed (apt-get install npm)" >&2; exit 2; }
    mkdir -p "$DIR"
    npm install --prefix "$DIR" --no-audit --no-fund --silent "vnu-jar@$VERSION" >&2
    echo "$VERSION" > "$DIR/version"
fi

if [ $# -eq 0 ]; then
    echo "$JAR"
    exit 0
fi
command -v java >/dev/null || { echo "vnu.sh: a Java runtime is needed (apt-get install default-jre-headless)" >&2; exit 2; }
exec java -jar "$JAR" --errors-only "$@"
