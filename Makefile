# yjcloud - build, run, test.  `make up` runs the platform, `make test`
# passes the tests (README.md).  Everything is built under $(BUILD).

BUILD    ?= build
SANITIZE ?= 0
PKGS     := libczmq libzmq libsodium msgpack libpq jansson libcrypto
PREFIX   ?= /usr/local
SHARE    ?= $(CURDIR)/deploy
VAR      ?= $(CURDIR)/var

CC       ?= cc
OPT      ?= -O2 -g
# Our flags live apart from CFLAGS, so `make CFLAGS=...` adds, never drops.
YJC_CFLAGS := $(OPT) -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -Icommon \
            -DYJC_SHARE_DIR='"$(SHARE)"' -DYJC_VAR_DIR='"$(VAR)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
YJC_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
# The console's page templates: the tree's, or SHARE/web/templates once
# installed (`make install` copies them there).
ifeq ($(SHARE),$(CURDIR)/deploy)
WEB_TEMPLATES ?= $(CURDIR)/services/web/templates
else
WEB_TEMPLATES ?= $(SHARE)/web/templates
endif
YJC_CFLAGS += -DYJC_WEB_TEMPLATES_DIR='"$(WEB_TEMPLATES)"'
ifeq ($(SANITIZE),1)
YJC_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
YJC_LDFLAGS := -fsanitize=address,undefined
endif

COMMON_SRC := $(wildcard common/*.c)
COMMON_OBJ := $(COMMON_SRC:common/%.c=$(BUILD)/obj/common/%.o) \
              $(BUILD)/obj/gen/common_sql.o
LIB        := $(BUILD)/libyjc.a

# The services: directory (and binary yjc-DIR) and schema (migration table
# name) of each SVC(IDENT, "name", "dir", "schema", port, "zh") line.
SERVICES_DEF := proto/yjc_services.def
SERVICES   := $(shell awk -F'"' '/^SVC/ { print $$4 }' $(SERVICES_DEF))
schema_of   = $(shell awk -F'"' '/^SVC/ && $$4 == "$(1)" { print $$6 }' $(SERVICES_DEF))
BINS       := $(SERVICES:%=$(BUILD)/bin/yjc-%) $(BUILD)/bin/yjcloud \
              $(BUILD)/bin/yjc-vendor-sim $(BUILD)/bin/yjc-selftest \
              $(BUILD)/bin/yjc-bench

# A service is every .c of its folder, plus its migrations.
service_objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard services/$(1)/*.c))

.PHONY: all deps up down status test bench bench-scale fuzz format clean proto-doc compose test-containers \
        install services
.SECONDARY:
.SECONDEXPANSION:

all: $(BINS)

$(BUILD)/obj/%.o: %.c $(wildcard common/*.h) $(wildcard proto/*.def) \
                  $(wildcard services/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(YJC_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(YJC_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/gen/common_sql.c: common/embed-sql.sh $(wildcard common/sql/*.sql)
	@mkdir -p $(dir $@)
	sh common/embed-sql.sh yjc_common_migrations $(sort $(wildcard common/sql/*.sql)) > $@

# Each service carries its own migrations, numbered, applied at start.
$(BUILD)/gen/%_sql.c: common/embed-sql.sh $$(wildcard services/$$*/sql/*.sql)
	@mkdir -p $(dir $@)
	sh common/embed-sql.sh yjc_$(call schema_of,$*)_migrations $(sort $(wildcard services/$*/sql/*.sql)) > $@

$(LIB): $(COMMON_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/yjc-%: $$(call service_objs,$$*) $(BUILD)/obj/gen/$$*_sql.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(YJC_LDFLAGS) $(LDFLAGS) $^ $(LIB) $(YJC_LIBS) $(LDLIBS) -o $@

# The CLI alone draws PDFs (services/cli/pdf.c): cairo and pango.
CLI_PKGS := pangocairo cairo-pdf fontconfig
$(call service_objs,cli): YJC_CFLAGS += $(shell pkg-config --cflags $(CLI_PKGS) 2>/dev/null)

$(BUILD)/bin/yjcloud: $(call service_objs,cli) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(YJC_LDFLAGS) $(LDFLAGS) $^ $(YJC_LIBS) \
	    $(shell pkg-config --libs $(CLI_PKGS) 2>/dev/null) $(LDLIBS) -o $@

# The web console (issue 16): a service of the .def (its schema records
# sign-ins) that also serves pages, with libmicrohttpd.
WEB_PKGS := libmicrohttpd
$(call service_objs,web): YJC_CFLAGS += $(shell pkg-config --cflags $(WEB_PKGS) 2>/dev/null)

$(BUILD)/bin/yjc-web: $(call service_objs,web) $(BUILD)/obj/gen/web_sql.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(YJC_LDFLAGS) $(LDFLAGS) $^ $(YJC_LIBS) \
	    $(shell pkg-config --libs $(WEB_PKGS) 2>/dev/null) $(LDLIBS) -o $@

$(BUILD)/bin/yjc-vendor-sim: $(BUILD)/obj/services/vendor-sim/vendor_sim.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(YJC_LDFLAGS) $(LDFLAGS) $^ $(YJC_LIBS) $(LDLIBS) -o $@

# The unit runner links libyjc only: a service's pure rules live there.
SELFTEST_OBJ := $(BUILD)/obj/tests/unit/selftest.o

$(BUILD)/bin/yjc-selftest: $(SELFTEST_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(YJC_LDFLAGS) $(LDFLAGS) $^ $(YJC_LIBS) $(LDLIBS) -o $@

$(BUILD)/bin/yjc-bench: $(BUILD)/obj/tests/bench/bench.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(YJC_LDFLAGS) $(LDFLAGS) $^ $(YJC_LIBS) $(LDLIBS) -o $@

# The programs a deployment runs (deploy/Dockerfile installs them).
install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(SERVICES:%=$(BUILD)/bin/yjc-%) $(BUILD)/bin/yjcloud \
	    $(BUILD)/bin/yjc-vendor-sim $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(SHARE)/web/templates
	install -m 0644 services/web/templates/* $(DESTDIR)$(SHARE)/web/templates/

# "dir schema" of each service, as the rules above read the .def.
services:
	@$(foreach s,$(SERVICES),echo $(s) $(call schema_of,$(s));)

# docker-compose.yml from its template and the services' .def (committed;
# a test checks it is up to date).
compose:
	sh deploy/compose.sh > docker-compose.yml.tmp
	mv docker-compose.yml.tmp docker-compose.yml

# The compose stack built and run under podman, end to end (minutes, an
# engine: not part of `make test`).  tests/containers/run.sh
test-containers:
	sh tests/containers/run.sh

# Debian packages for the build, the embedded run and the tests.
deps:
	@sh deploy/install-deps.sh

up: deps all
	@sh deploy/embedded.sh up

down:
	@sh deploy/embedded.sh down

status: all
	@sh deploy/embedded.sh status

# Sanitizer build, throwaway PostgreSQL, unit + integration tests.
test: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=1 OPT="-O1 -g" all
	@sh tests/run.sh build/asan

# libFuzzer on the frame path and the JSON round trip, FUZZ_SECONDS each
# (make test runs them for 15 s).
FUZZ_SECONDS ?= 600
fuzz: deps
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: deps all
	@sh tests/bench/run.sh $(BUILD)

# issue 14: query times at a province's scale (tests/bench/scale.sh)
bench-scale: deps all
	@sh tests/bench/scale.sh $(BUILD)

# The wire reference's lifecycle tables, from proto/yjc_lifecycle.def.
proto-doc:
	/usr/bin/python3 tests/tools/lifecycle_md.py

format:
	clang-format -i common/*.c common/*.h services/*/*.c tests/*/*.c

clean:
	rm -rf build
