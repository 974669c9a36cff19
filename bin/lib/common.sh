# Shared by bin/start and bin/test (sourced, not run): every failure says what went wrong and what
# to do, instead of the script ending silently under `set -e`.
#
# The scripts avoid `producer | head -n 1`: under `set -o pipefail` the producer dies of SIGPIPE
# when head exits first, and `set -e` then ends the script without a word (it happened about one
# start in five on a fresh clone). Use `find … -print -quit` or shell globs instead.

script_name="bin/${0##*/}"

log() { printf '[%s] %s\n' "$script_name" "$*" >&2; }

# Prints the reason and the remedy, then stops with status 1.
fail() {
  local line
  for line in "$@"; do
    log "$line"
  done
  exit 1
}

# Any command that fails without its own message still names itself, its line and its status.
on_error() {
  local status=$1 line=$2 command=$3
  if [ "$BASH_SUBSHELL" -gt 0 ]; then
    exit "$status" # inside $(…): the assignment around it fails next and is reported once, there
  fi
  log "stopped: \`$command\` (line $line of $script_name) failed with status $status."
  log "the lines above say why; run \`bash -x $script_name\` to trace each step, and report it if it stays unclear."
  exit "$status"
}
set -E # the ERR trap also covers functions and command substitutions
trap 'on_error $? $LINENO "$BASH_COMMAND"' ERR

# The java command: $JAVA_HOME/bin/java when JAVA_HOME is set, otherwise java on PATH.
java_command() {
  if [ -n "${JAVA_HOME:-}" ]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  else
    printf '%s\n' java
  fi
}

# Stops unless a Java 17 or newer runs; the major version is read from `java -version`
# ("17.0.15", "21", or "1.8.0_402" for Java 8).
require_java_17() {
  local java version_text major
  java=$(java_command)
  if ! command -v "$java" >/dev/null 2>&1; then
    if [ -n "${JAVA_HOME:-}" ]; then
      fail "JAVA_HOME is $JAVA_HOME, but it has no bin/java." \
        "point JAVA_HOME at a Java 17 (or newer) installation, or unset it to use java on PATH."
    fi
    fail "java was not found on PATH: Mailtree needs Java 17 or newer." \
      "install a JDK (on Debian or Ubuntu: apt-get install openjdk-17-jdk), or set JAVA_HOME to one."
  fi
  if ! version_text=$("$java" -version 2>&1); then
    fail "\`$java -version\` failed:" "$version_text" \
      "check that this Java installation works, or set JAVA_HOME to another one."
  fi
  if [[ $version_text =~ version\ \"([0-9]+)(\.([0-9]+))? ]]; then
    major=${BASH_REMATCH[1]}
    if [ "$major" = 1 ]; then
      major=${BASH_REMATCH[3]:-0}
    fi
  else
    fail "could not read the Java version from \`$java -version\`:" "$version_text" \
      "Mailtree needs Java 17 or newer; set JAVA_HOME to such a JDK."
  fi
  if [ "$major" -lt 17 ]; then
    fail "$java is Java $major; Mailtree needs Java 17 or newer." \
      "install a newer JDK (on Debian or Ubuntu: apt-get install openjdk-17-jdk) and put it on PATH or in JAVA_HOME."
  fi
}

# Stops unless Maven is on PATH.
require_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    fail "mvn was not found on PATH: building Mailtree needs Maven 3.6 or newer." \
      "install Maven (on Debian or Ubuntu: apt-get install maven) and run $script_name again."
  fi
}

# Extra Maven flags from MAILTREE_MVN_FLAGS (for example "-o" to build offline), split into words.
read -r -a mvn_flags <<<"${MAILTREE_MVN_FLAGS:-}"
