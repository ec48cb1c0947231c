# Sourced by .ci/run (as root): install, start and prepare PostgreSQL for the test suite.
# `start_test_postgres` prints the admin URL the tests use to create one database per test.

TEST_ROLE=huayu_test

as_postgres() {
    # From / so that psql does not complain about an unreadable working directory.
    (cd / && runuser -u postgres -- "$@")
}

start_test_postgres() {
    if ! command -v pg_ctlcluster >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        echo "installing PostgreSQL (apt-get)" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
    fi
    local version
    version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {found=1} END {exit !found}'; then
        # Packages installed with create_main_cluster=false, or a removed cluster.
        pg_createcluster --locale C.UTF-8 "$version" main >&2
    fi
    if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online" {found=1} END {exit !found}'; then
        pg_ctlcluster "$version" main start >&2
    fi
    local port
    port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')"
    if [ "$(as_postgres psql -p "$port" -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$TEST_ROLE'")" != 1 ]; then
        # CREATEDB: the tests make (and drop) a fresh database for every test.
        as_postgres psql -p "$port" -qc "CREATE ROLE $TEST_ROLE LOGIN CREATEDB PASSWORD '$TEST_ROLE'" >&2
    fi
    # DROP DATABASE ... WITH (FORCE) after each test must also end an autovacuum worker that
    # happens to be in that database, which takes pg_signal_backend. (GRANT again is harmless.)
    as_postgres psql -p "$port" -qc "GRANT pg_signal_backend TO $TEST_ROLE" >&2
    echo "postgresql+psycopg://$TEST_ROLE:$TEST_ROLE@127.0.0.1:$port/postgres"
}
