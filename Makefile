# gwauth - FastCGI authorizer and responder for identities from an API gateway.
#
#   make            build build/authorizer, build/logout and build/admin (gwauth-admin)
#   make run        demo: private MariaDB + lighttpd on 127.0.0.1:8080 (Ctrl-C stops it)
#   make check      unit and integration tests against real MariaDB and lighttpd
#   make check T=t_30_rules  only the integration files named (T="t_20_sessions t_60_redirect":
#                   several), behind nginx too where make check does it; no unit tests
#   make test-unit  the CUnit tests of the pure core only
#   make test-integration  the integration tests only (tests/integration/t_*.sh; T= as for check)
#   make migrate    apply sql/ migrations (settings from GWAUTH_CONFIG or -c via MIGRATE_ARGS)
#   make deps       install the Debian packages needed to build and test
#   make check-asan the same tests against an AddressSanitizer + UBSan build
#   make check-valgrind  thousands of mixed requests to gwauth under valgrind
#   make check-cluster   a 3-node Galera cluster with a front-end on each node
#   make analyze    static analysis: gcc -fanalyzer and cppcheck, any finding fails
#   make coverage   make check's tests on a --coverage build: gcovr per file, a floor for the core
#   make install    PREFIX=/usr/local DESTDIR= (see README "Install as a service")
#   make uninstall  remove what install put there, except the configuration
#   make deb        the Debian package (debian/) in build/deb/, lintian-checked
#   make bench      wrk against lighttpd: gwauth side by side with baselines (BENCH.md)
#   make bench-cluster   the same on a 3-node Galera cluster (BENCH-cluster.md)
#   make bench-scale     the main rows at 1 000 000 users beside the same at 1 000 (BENCH-scale.md)
#   make fuzz       FUZZ_SECONDS=60: libFuzzer on every parser (clang), new inputs in build-fuzz/
#   make clean      remove build/, build-asan/, build-fuzz/; make clean-run: the demo's .run/
#   make help       this list
#
# Variables: CC, OPTFLAGS, CPPFLAGS, CFLAGS, LDFLAGS (appended to), WERROR=
# (empty: warnings do not fail the build), PREFIX and the install dirs,
# GWAUTH_PORT_BASE (pins the ports of run and check). HACKING.md has the map.

CC       ?= cc
BUILD    ?= build
OPTFLAGS ?= -O2 -g
SANFLAGS ?=
WERROR   ?= -Werror
WARN     := -Wall -Wextra $(WERROR) -pedantic -Wshadow -Wformat=2 -Wvla
MARIADB_CFLAGS := $(shell pkg-config --cflags libmariadb 2>/dev/null || mariadb_config --cflags 2>/dev/null)
MARIADB_LIBS   := $(shell pkg-config --libs libmariadb 2>/dev/null || mariadb_config --libs 2>/dev/null)
CJSON_CFLAGS   := $(shell pkg-config --cflags libcjson 2>/dev/null || echo -I/usr/include/cjson)
CFLAGS   += -std=c11 $(WARN) $(OPTFLAGS) $(SANFLAGS) -D_DEFAULT_SOURCE -Iinclude \
            $(MARIADB_CFLAGS) $(CJSON_CFLAGS) -MMD -MP
LDFLAGS  += $(SANFLAGS)
LDLIBS   := -lfcgi -lcjson $(MARIADB_LIBS) -lcrypto
# What the pure core may link with: the unit tests and the fuzz replays
# link with these alone, so a FastCGI or MariaDB call in the core fails
# the build.
CORE_LIBS := -lcjson -lcrypto

# The pure core: bytes in, decisions out; no FastCGI or MariaDB calls.
CORE := status util cidr json config config_get config_identity config_access config_sections config_check \
        config_print request usermap rules http reply log session cache jwt caller metrics perms \
        assertion snippet plan namemap decide
# The edges shared by both programs.
EDGE := load db db_conn db_schema db_groups db_session db_admin app check keyring accept counters watch signer

CORE_OBJ := $(CORE:%=$(BUILD)/%.o)
EDGE_OBJ := $(EDGE:%=$(BUILD)/%.o)
PROGS    := $(BUILD)/authorizer $(BUILD)/logout $(BUILD)/admin
# What the integration tests run besides the programs.
TEST_PROGS := $(BUILD)/tests/jwtmint $(BUILD)/tests/fcgiclient $(BUILD)/tests/envapp
UNIT     := $(BUILD)/unit_tests

ASAN_FLAGS := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: deb all check check-asan check-valgrind check-cluster analyze coverage install uninstall bench bench-cluster bench-scale fuzz test-unit test-integration run migrate deps clean clean-run help
all: $(PROGS)

$(BUILD)/%.o: %.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/unit/%.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -I$(BUILD)/tests -Wno-shadow -c -o $@ $<

# The unit suites: one per tests/unit/test_NAME.c, whose unit_NAME()
# registers it; main.c calls each (rewritten when the files change).
$(BUILD)/tests/suites.h: $(wildcard tests/unit/test_*.c) | $(BUILD)
	@mkdir -p $(dir $@)
	@for f in $(sort $(notdir $(basename $(wildcard tests/unit/test_*.c)))); do \
	    echo "UNIT_SUITE($${f#test_})"; done >$@.tmp && mv $@.tmp $@
$(patsubst tests/unit/%.c,$(BUILD)/tests/%.o,$(wildcard tests/unit/*.c)): $(BUILD)/tests/suites.h

# Keys and signed tokens for the tests and the benchmark.
$(BUILD)/tests/mint.o: tests/mint.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -c -o $@ $<

$(BUILD)/tests/jwtmint: tests/jwtmint.c $(BUILD)/tests/mint.o $(BUILD)/jwt.o $(BUILD)/json.o $(BUILD)/util.o | $(BUILD)
	$(CC) $(CFLAGS) -Itests $(LDFLAGS) -o $@ $^ $(LDLIBS)

# A FastCGI client, as any local process could be (the trust-boundary tests).
$(BUILD)/tests/fcgiclient: tests/fcgiclient.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# A FastCGI application that prints the identity it got (the nginx tests).
$(BUILD)/tests/envapp: tests/envapp.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lfcgi

$(BUILD):
	@mkdir -p $(BUILD)

$(BUILD)/authorizer: $(BUILD)/authorizer.o $(EDGE_OBJ) $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/logout: $(BUILD)/logout.o $(EDGE_OBJ) $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/admin: $(BUILD)/admin.o $(EDGE_OBJ) $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The benchmark's baselines (make bench).
$(BUILD)/bench/%: bench/%.c $(BUILD)/util.o | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/util.o $(LDLIBS)

# Fuzz targets: replayed over their corpus by make check (gcc, no fuzzing),
# fuzzed by make fuzz (clang + libFuzzer + ASan/UBSan).
FUZZ_TARGETS := userinfo headers redirect path config jwt perms
FUZZ_CFLAGS  := $(filter-out -MMD -MP,$(CFLAGS)) -Itests/fuzz -Itests
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay_%)
$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h tests/mint.c $(CORE_OBJ) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(CORE_LIBS)

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%.o)
$(UNIT): $(UNIT_OBJ) $(CORE_OBJ) $(BUILD)/load.o $(BUILD)/keyring.o $(BUILD)/watch.o $(BUILD)/counters.o $(BUILD)/tests/mint.o
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit $(CORE_LIBS)

deps:
	@scripts/deps.sh

test-unit: $(UNIT)
	$(UNIT)

test-integration: $(PROGS) $(TEST_PROGS)
	tests/integration/run.sh $(T)

# Everything; installs what is missing first. Prints a CUnit summary and a
# final "N passed, N failed" line; exits non-zero on any failure. T= names
# integration files (t_30_rules or t_30_rules.sh, several with spaces): only
# those run, and the unit tests and fuzz replays do not.
check:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all $(UNIT) $(FUZZ_REPLAY) $(TEST_PROGS)
	@scripts/check.sh $(T)

# Builds into build-asan/ and runs make check's tests against it; the
# last integration file fails on any sanitizer report in the logs.
check-asan:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory BUILD=build-asan OPTFLAGS="-O1 -g" SANFLAGS="$(ASAN_FLAGS)" \
	    build-asan/authorizer build-asan/logout build-asan/admin build-asan/unit_tests build-asan/tests/jwtmint \
	    build-asan/tests/fcgiclient build-asan/tests/envapp \
	    $(FUZZ_TARGETS:%=build-asan/fuzz/replay_%)
	@GW_BUILD=build-asan ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 scripts/check.sh $(T)

# Three Galera nodes on loopback and a front-end on each (tests/cluster).
check-cluster:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all $(BUILD)/tests/fcgiclient
	@tests/cluster/run.sh

check-valgrind:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all $(BUILD)/tests/jwtmint
	@tests/valgrind.sh

# libFuzzer on each target for FUZZ_SECONDS; inputs that find new coverage
# go to build-fuzz/corpus/<target>, crashes to build-fuzz/<target>-crash-*.
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
CORE_SRC     := $(CORE:%=%.c)
fuzz:
	@scripts/deps.sh
	@command -v clang >/dev/null && [ -n "$$(find /usr/lib/llvm-*/lib/clang -name 'libclang_rt.fuzzer*' 2>/dev/null | head -1)" ] || \
	    { echo "installing clang and libclang-rt-14-dev"; apt-get update -qq && apt-get install -y -qq clang libclang-rt-14-dev >/dev/null; }
	@mkdir -p build-fuzz
	@for t in $(FUZZ_TARGETS); do \
	    clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined,float-cast-overflow -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	        -D_DEFAULT_SOURCE -Iinclude -Itests/fuzz -Itests $(MARIADB_CFLAGS) $(CJSON_CFLAGS) \
	        -o build-fuzz/fuzz_$$t tests/fuzz/fuzz_$$t.c tests/mint.c $(CORE_SRC) $(LDLIBS) || exit 1; \
	    mkdir -p build-fuzz/corpus/$$t; \
	    echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	    build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -jobs=$(FUZZ_JOBS) \
	        -artifact_prefix=build-fuzz/$$t- build-fuzz/corpus/$$t tests/fuzz/corpus/$$t 2>&1 | \
	        grep -E "^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::peak_rss|cov:|ERROR|SUMMARY" | tail -4 || exit 1; \
	    ! ls build-fuzz/$$t-crash-* build-fuzz/$$t-leak-* build-fuzz/$$t-timeout-* 2>/dev/null | grep . || exit 1; \
	done

# Static analysis of the programs' sources, any finding an error. gcc
# -fanalyzer runs without its malloc-leak check: GCC 12 loses ownership
# that is stored into a caller's struct or array (a parsed value kept in
# its configuration, a column buffer in its gw_db, a name in its list),
# and each of its 20 such reports on this tree reads as that; leaks are
# LeakSanitizer's (check-asan) and valgrind's (check-valgrind). Then
# cppcheck's warning, portability and performance checks.
ANALYZE_SRC := $(CORE:%=%.c) $(EDGE:%=%.c) authorizer.c logout.c admin.c
analyze:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory BUILD=build-analyze OPTFLAGS="-O1 -g -fanalyzer -Wno-analyzer-malloc-leak" \
	    WERROR=-Werror all
	cppcheck --enable=warning,portability,performance --std=c11 --error-exitcode=1 --quiet \
	    --inline-suppr -Iinclude $(MARIADB_CFLAGS:-I%=-I%) $(CJSON_CFLAGS) -D_DEFAULT_SOURCE $(ANALYZE_SRC)
	@echo "analyze: gcc -fanalyzer and cppcheck found nothing"

# Coverage: the unit tests, the fuzz replays and the integration tests
# (lighttpd, Apache; not the nginx repeat) against a --coverage build in
# build-cov/, then gcovr: lines and branches of every file, and a floor
# for the pure core that fails the run below it. The floors are what was
# measured, rounded down; raise them as tests come.
COVERAGE_LINES    ?= 96
COVERAGE_BRANCHES ?= 88
COV_FILTERS := $(CORE:%=--filter '^%\.c$$')
coverage:
	@scripts/deps.sh
	@mkdir -p build-cov && find build-cov -name '*.gcda' -delete
	@$(MAKE) --no-print-directory BUILD=build-cov OPTFLAGS="-O0 -g --coverage" LDFLAGS=--coverage \
	    build-cov/authorizer build-cov/logout build-cov/admin build-cov/unit_tests build-cov/tests/jwtmint \
	    build-cov/tests/fcgiclient build-cov/tests/envapp $(FUZZ_TARGETS:%=build-cov/fuzz/replay_%)
	@GW_BUILD=build-cov GW_CHECK_NGINX=0 scripts/check.sh >build-cov/check.log 2>&1; rc=$$?; \
	    tail -1 build-cov/check.log; [ $$rc -eq 0 ] || { echo "coverage: the tests failed (build-cov/check.log)"; exit 1; }
	@echo "== every file (lines, then branches)"
	@gcovr -r . --object-directory build-cov --exclude 'tests/' --exclude 'bench/' --txt | sed -n '/^File/,$$p'
	@gcovr -r . --object-directory build-cov --exclude 'tests/' --exclude 'bench/' --branches --txt | tail -2
	@echo "== the core: at least $(COVERAGE_LINES) % of lines and $(COVERAGE_BRANCHES) % of branches"
	@gcovr -r . --object-directory build-cov $(COV_FILTERS) --print-summary --txt build-cov/core.txt \
	    --fail-under-line $(COVERAGE_LINES) --fail-under-branch $(COVERAGE_BRANCHES) || \
	    { echo "coverage: the core is below its floor"; exit 1; }

# What the benchmark runs besides the programs.
BENCH_PROGS := $(BUILD)/bench/floor $(BUILD)/bench/floor_db $(BUILD)/bench/stmt $(BUILD)/tests/jwtmint $(BUILD)/tests/fcgiclient

# Not part of make check: takes minutes, writes BENCH.md.
bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory all $(BENCH_PROGS)
	@bench/run.sh

# The scenarios a Galera cluster changes, on node 1 of a 3-node cluster.
bench-cluster:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all $(BENCH_PROGS)
	@BENCH_GALERA=1 BENCH_PROCS="$${BENCH_PROCS:-4}" BENCH_ROUNDS="$${BENCH_ROUNDS:-5}" BENCH_SCENARIOS="$${BENCH_SCENARIOS:-floor-db session session-galera}" bench/run.sh

# The main rows against 1 000 000 users, profiles and sessions (bulk-loaded),
# beside the same against the usual 1 000, in one run.
bench-scale:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory all $(BENCH_PROGS)
	@BENCH_SCALE=1 BENCH_PROCS="$${BENCH_PROCS:-2}" bench/run.sh

run:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/run.sh

migrate:
	@scripts/migrate.sh $(MIGRATE_ARGS)

# --- install ----------------------------------------------------------------
PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
LIBDIR     ?= $(PREFIX)/lib/gwauth
SBINDIR    ?= $(PREFIX)/sbin
SHAREDIR   ?= $(PREFIX)/share/gwauth
DOCDIR     ?= $(PREFIX)/share/doc/gwauth
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
# no: install leaves fastcgi.secret to the package's postinst
GEN_SECRET ?= yes
DOCS  := README.md SECURITY.md gwauth.json.example lighttpd.conf.example apache2.conf.example nginx.conf.example \
         apache2-fcgid.conf.example $(wildcard examples/*.json) examples/logrotate.gwauth \
         examples/lighttpd-proxy.conf examples/apache2-proxy.conf
# Installed where the examples point to them (scripts lighttpd runs, the
# Python verifier applications import).
SHARED := examples/lighttpd-strip-secret.lua examples/lighttpd-header-guard.lua \
          examples/lighttpd-proxy-headers.lua examples/gwauth_assertion.py
UNITS := gwauth-authorizer.socket gwauth-logout.socket gwauth-authorizer.service gwauth-logout.service \
         gwauth-jwks.service gwauth-jwks.timer

# Installs the programs, the migrations and gwauth-migrate, the man pages,
# the documentation and examples, and the systemd units; the configuration
# only when none is there yet (it is never overwritten or removed).
install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SHAREDIR)/sql \
	    $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/gwauth
	install -m 755 $(BUILD)/authorizer $(BUILD)/logout $(DESTDIR)$(LIBDIR)/
	install -m 755 scripts/migrate.sh $(DESTDIR)$(SBINDIR)/gwauth-migrate
	install -m 755 $(BUILD)/admin $(DESTDIR)$(SBINDIR)/gwauth-admin
	sed -e 's|@LIBDIR@|$(LIBDIR)|g' scripts/jwks-fetch.sh >$(DESTDIR)$(SBINDIR)/gwauth-jwks-fetch
	chmod 755 $(DESTDIR)$(SBINDIR)/gwauth-jwks-fetch
	install -m 644 sql/*.sql $(DESTDIR)$(SHAREDIR)/sql/
	install -m 644 $(SHARED) $(DESTDIR)$(SHAREDIR)/
	install -m 644 $(filter-out examples/%,$(DOCS)) $(DESTDIR)$(DOCDIR)/
	install -m 644 $(filter examples/%,$(DOCS)) $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 systemd/*.socket systemd/*.timer $(DESTDIR)$(UNITDIR)/
	install -D -m 644 systemd/gwauth.tmpfiles $(DESTDIR)$(TMPFILESDIR)/gwauth.conf
	for s in systemd/*.service.in; do \
	    sed -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' $$s \
	        >$(DESTDIR)$(UNITDIR)/$$(basename $$s .in) && chmod 644 $(DESTDIR)$(UNITDIR)/$$(basename $$s .in); \
	done
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/gwauth/gwauth.json ]; then \
	    echo "kept the existing $(DESTDIR)$(SYSCONFDIR)/gwauth/gwauth.json"; \
	else \
	    install -m 640 gwauth.json.example $(DESTDIR)$(SYSCONFDIR)/gwauth/gwauth.json; \
	    echo "installed $(DESTDIR)$(SYSCONFDIR)/gwauth/gwauth.json (edit it)"; \
	fi
	@if [ "$(GEN_SECRET)" != yes ]; then :; elif [ -e $(DESTDIR)$(SYSCONFDIR)/gwauth/fastcgi.secret ]; then \
	    echo "kept the existing $(DESTDIR)$(SYSCONFDIR)/gwauth/fastcgi.secret"; \
	else \
	    (umask 077; openssl rand -hex 32 >$(DESTDIR)$(SYSCONFDIR)/gwauth/fastcgi.secret) && \
	    echo "generated $(DESTDIR)$(SYSCONFDIR)/gwauth/fastcgi.secret (chgrp gwauth, chmod 640; the web server reads it as root)"; \
	fi

# Removes what install put there, except the configuration.
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/authorizer $(DESTDIR)$(LIBDIR)/logout $(DESTDIR)$(SBINDIR)/gwauth-migrate \
	    $(DESTDIR)$(SBINDIR)/gwauth-admin \
	    $(DESTDIR)$(SBINDIR)/gwauth-jwks-fetch
	rm -f $(addprefix $(DESTDIR)$(SHAREDIR)/sql/,$(notdir $(wildcard sql/*.sql)))
	rm -f $(addprefix $(DESTDIR)$(SHAREDIR)/,$(notdir $(SHARED)))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS)))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(notdir $(filter examples/%,$(DOCS))))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(wildcard man/*.5)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(wildcard man/*.8)))
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS)) $(DESTDIR)$(TMPFILESDIR)/gwauth.conf
	-rmdir $(DESTDIR)$(LIBDIR) $(DESTDIR)$(SHAREDIR)/sql $(DESTDIR)$(SHAREDIR) \
	    $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/gwauth (configuration)"

# The Debian package (debian/), from a copy of the tree under $(BUILD)/deb
# (dpkg-buildpackage writes beside the tree it builds), checked by lintian:
# any error fails, warnings are printed.
deb:
	@command -v dpkg-buildpackage >/dev/null && command -v lintian >/dev/null && command -v dh >/dev/null || sh scripts/deps.sh
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/gwauth
	tar -c --exclude='./build*' --exclude=./.run --exclude=./.git . | tar -x -C $(BUILD)/deb/gwauth
	cd $(BUILD)/deb/gwauth && dpkg-buildpackage -us -uc -b
	lintian --fail-on error $(BUILD)/deb/gwauth_*.changes
	@ls $(BUILD)/deb/*.deb

clean:
	rm -rf build build-asan build-fuzz build-analyze build-cov

# Removes the demo's MariaDB data and logs (make run creates them again).
clean-run:
	rm -rf .run

help:
	@sed -n '1,/^$$/p' Makefile

-include $(wildcard $(BUILD)/*.d $(BUILD)/tests/*.d)
