#!/usr/bin/env bash
# Installs (once) a JDK and the PostgreSQL JDBC driver from Debian's packages and prints the
# classpath of the driver's jar, for the JDBC compatibility script (run with the source launcher):
#
#   cp=$(bash tests/compat/setup-java.sh)
#   java -cp "$cp" tests/compat/clients/Jdbc.java --host ... --port ...
#
# Only the classpath goes to stdout; apt's chatter goes to stderr. Needs root for apt-get when
# either package is missing; otherwise it only checks that java and the jar are there.
set -euo pipefail

jar=/usr/share/java/postgresql.jar

if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1 || [ ! -f "$jar" ]; then
  {
    echo "setup-java: installing default-jdk-headless and libpostgresql-jdbc-java with apt-get"
    apt-get update && apt-get install -y default-jdk-headless libpostgresql-jdbc-java
  } >&2
fi

if ! command -v java >/dev/null 2>&1 || [ ! -f "$jar" ]; then
  echo "setup-java: java or $jar is still missing" >&2
  exit 1
fi
printf '%s\n' "$jar"
