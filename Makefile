# gwauth - FastCGI authorizer and responder for identities from an API gateway.
#
#   make            build build/authorizer and build/logout
#   make run        demo: private MariaDB + lighttpd on 127.0.0.1:8080 (Ctrl-C stops it)
#   make check      unit and integration tests against real MariaDB and lighttpd
#   make migrate    apply sql/ migrations (settings from GWAUTH_CONFIG or -c via MIGRATE_ARGS)
#   make deps       install the Debian packages needed to build and test
#   make check-asan the same tests against an AddressSanitizer + UBSan build
#   make check-valgrind  thousands of mixed requests to gwauth under valgrind

CC       ?= cc
BUILD    ?= build
OPTFLAGS ?= -O2 -g
SANFLAGS ?=
WARN     := -Wall -Wextra -Werror -pedantic -Wshadow -Wformat=2 -Wvla
MARIADB_CFLAGS := $(shell pkg-config --cflags libmariadb 2>/dev/null || mariadb_config --cflags 2>/dev/null)
MARIADB_LIBS   := $(shell pkg-config --libs libmariadb 2>/dev/null || mariadb_config --libs 2>/dev/null)
CJSON_CFLAGS   := $(shell pkg-config --cflags libcjson 2>/dev/null || echo -I/usr/include/cjson)
CFLAGS   += -std=c11 $(WARN) $(OPTFLAGS) $(SANFLAGS) -D_DEFAULT_SOURCE -Iinclude \
            $(MARIADB_CFLAGS) $(CJSON_CFLAGS) -MMD -MP
LDFLAGS  += $(SANFLAGS)
LDLIBS   := -lfcgi -lcjson $(MARIADB_LIBS) -lcrypto

# The pure core: bytes in, decisions out; no FastCGI or MariaDB calls.
CORE := status util cidr json config usermap rules http reply log session
# The edges shared by both programs.
EDGE := db app

CORE_OBJ := $(CORE:%=$(BUILD)/%.o)
EDGE_OBJ := $(EDGE:%=$(BUILD)/%.o)
PROGS    := $(BUILD)/authorizer $(BUILD)/logout
UNIT     := $(BUILD)/unit_tests

ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all check check-asan check-valgrind test-unit test-integration run migrate deps clean clean-run help
all: $(PROGS)

$(BUILD)/%.o: %.c | $(BUILD)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/unit/%.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-shadow -c -o $@ $<

$(BUILD):
	@mkdir -p $(BUILD)

$(BUILD)/authorizer: $(BUILD)/authorizer.o $(EDGE_OBJ) $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/logout: $(BUILD)/logout.o $(EDGE_OBJ) $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%.o)
$(UNIT): $(UNIT_OBJ) $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit $(LDLIBS)

deps:
	@scripts/deps.sh

test-unit: $(UNIT)
	$(UNIT)

test-integration: $(PROGS)
	tests/integration/run.sh

# Everything; installs what is missing first. Prints a CUnit summary and a
# final "N passed, N failed" line; exits non-zero on any failure.
check:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all $(UNIT)
	@scripts/check.sh

# Builds into build-asan/ and runs make check's tests against it; the
# last integration file fails on any sanitizer report in the logs.
check-asan:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory BUILD=build-asan OPTFLAGS="-O1 -g" SANFLAGS="$(ASAN_FLAGS)" \
	    build-asan/authorizer build-asan/logout build-asan/unit_tests
	@GW_BUILD=build-asan ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 scripts/check.sh

check-valgrind:
	@scripts/deps.sh
	@command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
	@$(MAKE) --no-print-directory all
	@tests/valgrind.sh

run:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/run.sh

migrate:
	@scripts/migrate.sh $(MIGRATE_ARGS)

clean:
	rm -rf build build-asan

# Removes the demo's MariaDB data and logs (make run creates them again).
clean-run:
	rm -rf .run

help:
	@sed -n '1,8p' Makefile

-include $(wildcard $(BUILD)/*.d $(BUILD)/tests/*.d)
