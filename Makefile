# Credential Workbench — the README's two commands are `make run` and `make test`.
SHELL := bash
GO ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null | sed 's/^v//' || echo dev)
ifeq ($(VERSION),)
VERSION := dev
endif
LDFLAGS := -X github.com/credworkbench/credworkbench/internal/version.Version=$(VERSION)
NODE_DIR := internal/testidp/node

.PHONY: demo run build credctl deps-build deps-test node-deps test vet staticcheck bench clean

## run: install what is missing, build and start the workbench
run: deps-build build
	./bin/credworkbench

## demo: the workbench against the project's test IdP, with a working Application and User profile
demo: build node-deps
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

# The test identity provider (oidc-provider) and Playwright, pinned by package-lock.json.
node-deps: $(NODE_DIR)/node_modules/.package-lock.json
$(NODE_DIR)/node_modules/.package-lock.json: $(NODE_DIR)/package-lock.json
	npm ci --prefix $(NODE_DIR) --no-audit --no-fund --loglevel=error

## test: install every test dependency, then vet, staticcheck and the whole suite
test: deps-test node-deps vet staticcheck
	CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/credctl
	scripts/test.sh -race -timeout 30m ./...

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run $(STATICCHECK) ./...

## bench: benchmarks against the local test IdP (figures go to docs/benchmarks.md)
bench: deps-test node-deps
	scripts/test.sh -run '^$$' -bench . -benchtime 2s ./oauthflow/ ./cmd/credctl/ ./ui/

# Installers: package-linux, package-windows, package-macos, package-check.
-include packaging/packaging.mk

clean:
	rm -rf bin dist
