# Credential Workbench — the README's two commands are `make run` and `make test`.
SHELL := bash
GO ?= go
# Every build, test and package uses this Go release: it carries the standard
# library fixes govulncheck asks for (1.26.8 has 13 reachable ones). The go
# command fetches it from the module proxy once (about 76 MB); go.mod names it
# as the toolchain for machines that allow switching (GOTOOLCHAIN=auto).
export GOTOOLCHAIN := go1.27.3
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOVULNCHECK := golang.org/x/vuln/cmd/govulncheck@v1.9.0
# The pinned analysis tools are built once into bin/tools/NAME-VERSION/ (as
# packaging does for nfpm and fyne) with CGO_ENABLED=0: the binary is then the
# same whether or not a C compiler is installed yet, so .ci/run builds them
# (make tools) while apt-get installs gcc, and nothing is rebuilt afterwards.
# (`go run PKG@VERSION` keys its cached binary on the C compiler too.)
# The directory names the Go release too: staticcheck must know the language
# version it checks.
TOOLS_DIR := $(CURDIR)/bin/tools
tool-name = $(notdir $(firstword $(subst @, ,$(1))))
tool-bin = $(TOOLS_DIR)/$(call tool-name,$(1))-$(lastword $(subst @, ,$(1)))-$(GOTOOLCHAIN)/$(call tool-name,$(1))
# The vulnerability database govulncheck reads: by default built from this
# pinned snapshot of golang.org/x/vulndb (served by the module proxy, unlike
# vuln.go.dev) and cached; a connected machine may use VULNDB=https://vuln.go.dev.
VULNDB_VERSION := v0.0.0-20261105234957-e22db6528018
VERSION ?= $(shell git describe --tags 2>/dev/null | sed 's/^v//')
ifeq ($(VERSION),)
VERSION := dev
endif
LDFLAGS := -X github.com/credworkbench/credworkbench/internal/version.Version=$(VERSION)
NODE_DIR := internal/testidp/node

.PHONY: demo run build credctl deps-build deps-demo deps-test node-deps test vet staticcheck vulncheck vulndb tools bench bench-all clean

## run: install what is missing, build and start the workbench
run: deps-build build
	./bin/credworkbench

## demo: the workbench against the project's test IdP, with a working Application and User profile
demo: deps-demo build node-deps
	$(GO) run ./internal/demo -workbench bin/credworkbench

build: deps-build
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/credworkbench ./cmd/credworkbench

## credctl: the command line, static (no cgo, no Fyne)
credctl:
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o bin/credctl ./cmd/credctl

deps-build:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

deps-demo:
	@scripts/deps.sh demo

# The test identity provider (oidc-provider) and Playwright, pinned by package-lock.json.
node-deps: $(NODE_DIR)/node_modules/.package-lock.json
$(NODE_DIR)/node_modules/.package-lock.json: $(NODE_DIR)/package-lock.json
	npm ci --prefix $(NODE_DIR) --no-audit --no-fund --loglevel=error

## test: install every test dependency, then vet, staticcheck and the whole suite
## (the end-to-end suite, e2e/, runs the bin/ binaries these targets build)
test: deps-test node-deps vet staticcheck build credctl
	scripts/test.sh -race -count=1 -timeout 30m ./...

vet:
	$(GO) vet ./...

# staticcheck runs on the Go release everything else uses, so it checks the
# files built only with Go 1.27 (//go:build go1.27: the json/v2 profile
# decoder, credentials/store_stream.go) with the rest, and reuses the compiled
# dependencies go vet left in the build cache. (It ran on Go 1.26.8 after
# staticcheck 0.8.2 built with Go 1.27 once panicked in SA4023; 0.8.2 with Go
# 1.27.3 checks every package of the tree, then and now, without a panic:
# docs/bench/ci.md. A panic fails this target, so it cannot pass unseen.)
staticcheck: $(call tool-bin,$(STATICCHECK))
	$< ./...

## vulncheck: known vulnerabilities reachable from the code (govulncheck, pinned);
## fails on any finding. The database is built once from VULNDB_VERSION.
vulncheck: $(call tool-bin,$(GOVULNCHECK))
	db="$${VULNDB:-$$(GO=$(GO) scripts/vulndb.sh $(VULNDB_VERSION))}" && \
	$< -db "$$db" ./...

# vulndb: build (once) the pinned vulnerability database vulncheck reads.
vulndb:
	@GO=$(GO) scripts/vulndb.sh $(VULNDB_VERSION) >/dev/null

## bench: benchmarks against the local test IdP (figures go to docs/benchmarks.md)
# The rows of docs/benchmarks.md "Targets": each prints its time, its
# baseline's time from the same iterations and the ratio (x-baseline) next to
# the target (target-x); then the renewal soak and the GUI start/memory rows.
bench: deps-test node-deps build
	scripts/test.sh -run '^$$' -bench 'Target' -benchtime 5x ./oauthflow/ ./cmd/credctl/ ./ui/
	CREDWB_SOAK_PROFILES=1000 CREDWB_SOAK_HOURS=6 scripts/test.sh -count=1 -run 'TestSoakWeekOfRenewals' -v ./oauthflow/ | grep -E 'soak_test|^(ok|FAIL|---)'
	scripts/test.sh -count=1 -run 'TestSoakWeekOfRenewals' -v ./oauthflow/ | grep -E 'soak_test|^(ok|FAIL|---)'
	scripts/gui-memory.sh

# The older micro-benchmarks (single fetch vs curl, filter, cold tokens).
bench-all: deps-test node-deps
	scripts/test.sh -run '^$$' -bench . -benchtime 2s ./oauthflow/ ./cmd/credctl/ ./ui/

# Installers: package-linux, package-windows, package-macos, package-check.
-include packaging/packaging.mk

clean:
	rm -rf bin dist

# ---- hardening (docs/reliability.md) ----
FUZZTIME ?= 30s
GOSEC := github.com/securego/gosec/v2/cmd/gosec@v2.30.0

.PHONY: fuzz gosec

# fuzz-build PKG: the package's test binary with the fuzzing instrumentation
# (`go test -c -fuzz`), built once into bin/fuzz/ and run for each of its
# targets: `go test -fuzz` per target would link it (and check it) anew each time.
FUZZ_BIN := $(CURDIR)/bin/fuzz
define fuzz-build
	@mkdir -p $(FUZZ_BIN) && $(GO) test -c -fuzz . -o $(FUZZ_BIN)/$(subst /,_,$(1)).test ./$(1)/
endef
# fuzz-one PKG,TARGET: runs TARGET for FUZZTIME as `go test -fuzz` runs it: in
# the package's directory (seed corpus in testdata/fuzz, a failing input
# written there) with the go command's fuzz cache. Go 1.26 sometimes fails a
# duration-bounded run with a bare "context deadline exceeded" when -fuzztime
# expires (golang/go#75804, fixed in Go 1.27): that, and only that, without a
# failing input written, is reported and not counted as a failure.
define fuzz-one
	@echo "== $(2) ($(1), $(FUZZTIME))"; \
	cache="$$($(GO) env GOCACHE)/fuzz/$$($(GO) list ./$(1)/)"; \
	out=$$(cd $(1) && $(FUZZ_BIN)/$(subst /,_,$(1)).test -test.paniconexit0 -test.timeout=10m -test.run '^$$' \
		-test.fuzz '^$(2)$$' -test.fuzztime $(FUZZTIME) -test.fuzzcachedir "$$cache" 2>&1); rc=$$?; \
	if ! echo "$$out" | grep -q 'fuzz: elapsed'; then echo "$$out"; echo "$(2) did not fuzz: is it still in ./$(1)/? (fix the list in the Makefile)"; exit 1; fi; \
	if [ $$rc -eq 0 ]; then echo "$$out" | tail -n 3; \
	elif echo "$$out" | grep -q 'context deadline exceeded' && ! echo "$$out" | grep -q 'Failing input written'; then \
		echo "$$out" | tail -n 4; echo "$(2): Go's fuzztime deadline race (golang/go#75804), no failing input: not a failure"; \
	else echo "$$out"; exit 1; fi
endef

## fuzz: run every fuzz target for FUZZTIME (default 30s; CI: make fuzz FUZZTIME=10s).
## -fuzz takes one target at a time, so one run per target.
fuzz:
	$(call fuzz-build,credentials)
	$(call fuzz-one,credentials,FuzzParseClaimPath)
	$(call fuzz-one,credentials,FuzzParseImport)
	$(call fuzz-one,credentials,FuzzValidate)
	$(call fuzz-one,credentials,FuzzStreamingReadsWhatParseWholeReads)
	$(call fuzz-build,oauthflow)
	$(call fuzz-one,oauthflow,FuzzInspect)
	$(call fuzz-one,oauthflow,FuzzTokenResponse)
	$(call fuzz-build,oauthflow/idp)
	$(call fuzz-one,oauthflow/idp,FuzzCallbackQuery)

## gosec: static security analysis, pinned; every finding is fixed or justified
## with a `#nosec Gxxx -- reason` comment at its line (nothing excluded here).
# dist/ holds packaging's staged copy of the sources (its own module), not code.
gosec: $(call tool-bin,$(GOSEC))
	$< -quiet -exclude-dir=dist ./...

# ---- pinned tools (see TOOLS_DIR above) ----
.PHONY: modules
## modules: download the Go toolchain and every module the build needs
modules:
	$(GO) mod download

## tools: build every pinned tool once (staticcheck, gosec, govulncheck,
## actionlint here; nfpm and the fyne tool by packaging/package.sh)
PINNED_TOOLS := $(STATICCHECK) $(GOSEC) $(GOVULNCHECK) $(ACTIONLINT)
tools: $(foreach t,$(PINNED_TOOLS),$(call tool-bin,$(t)))
	@$(PKG_ENV) $(PKG_SCRIPT) tools

define tool-rule
$(call tool-bin,$(1)):
	CGO_ENABLED=0 GOBIN=$$(@D) $$(GO) install $(1)
endef
$(foreach t,$(PINNED_TOOLS),$(eval $(call tool-rule,$(t))))
