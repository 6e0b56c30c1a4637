#!/usr/bin/env bash
# Builds the Java core of sdk-native and runs its tests, with plain javac and
# java: no Maven or Gradle (the CI network reaches Debian and npm, not Maven
# Central), the jars come from Debian packages:
#
#   apt-get install -y --no-install-recommends openjdk-17-jdk-headless libbcprov-java junit5
#
# Output goes to out/ (gitignored): out/main, out/test, out/govapp-core.jar.
# The last line about tests is "N passed, N failed"; the exit status is
# non-zero when a test fails or nothing ran.
#
# Overrides: JAVA_JARS (folder of the Debian jars, /usr/share/java),
# BCPROV_JAR, GOVAPP_VECTORS (the shared vectors folder).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jars="${JAVA_JARS:-/usr/share/java}"
bcprov="${BCPROV_JAR:-$jars/bcprov.jar}"
launcher="$jars/junit-platform-console-standalone.jar"
vectors="${GOVAPP_VECTORS:-$root/hotupdate/testdata/vectors}"
out="$here/out"

need() {
	[ -e "$1" ] || { echo "build.sh: $1 is missing; install it with: apt-get install -y --no-install-recommends $2" >&2; exit 2; }
}
command -v javac >/dev/null 2>&1 || { echo "build.sh: javac not found (JDK 17: apt-get install -y openjdk-17-jdk-headless)" >&2; exit 2; }
need "$bcprov" libbcprov-java
need "$launcher" junit5
need "$jars/junit-jupiter-api.jar" junit5
need "$vectors/index.json" "(the repository's hotupdate/testdata/vectors)"

rm -rf "$out"
mkdir -p "$out/main" "$out/test"

# Main: Java 8 language and API level, so the core also builds for Android.
find "$here/core/src/main/java" -name '*.java' >"$out/main-sources.txt"
javac --release 8 -encoding UTF-8 -Xlint:all,-path,-options -Werror \
	-cp "$bcprov" -d "$out/main" @"$out/main-sources.txt"
(cd "$out/main" && jar --create --file "$out/govapp-core.jar" .)

test_cp="$jars/junit-jupiter-api.jar:$jars/apiguardian-api.jar:$jars/opentest4j.jar:$jars/junit-platform-commons.jar"
find "$here/core/src/test/java" -name '*.java' >"$out/test-sources.txt"
javac --release 17 -encoding UTF-8 -Xlint:all,-path,-options \
	-cp "$out/main:$bcprov:$test_cp" -d "$out/test" @"$out/test-sources.txt"

set +e
java -Dgovapp.vectors="$vectors" -jar "$launcher" \
	--disable-banner --disable-ansi-colors --details=tree --fail-if-no-tests \
	--class-path "$out/main:$out/test:$bcprov" \
	--select-package gov.govapp.core 2>&1 | tee "$out/test-output.txt"
status=${PIPESTATUS[0]}
set -e

count() { sed -n "s/^\[ *\([0-9][0-9]*\) tests $1 *\]$/\1/p" "$out/test-output.txt" | head -n 1; }
passed="$(count successful)"
failed="$(count failed)"
if [ -z "$passed" ] || [ -z "$failed" ]; then
	echo "build.sh: could not read the test summary" >&2
	exit 1
fi
echo "$passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
	exit 1
fi
