# norm — one entry point for developers and CI. Every target loops over the
# modules of go.work; see README.md.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go

# Module directories, in go.work order; e2e runs after the others.
MODULES := $(shell $(GO) list -m -f '{{.Dir}}')
E2E_DIR := $(CURDIR)/e2e
UNIT_MODULES := $(filter-out $(E2E_DIR),$(MODULES))

GOLANGCI_VERSION := v2.15.0
BIN := $(CURDIR)/bin
GOLANGCI := $(BIN)/golangci-lint
MODCHECK := $(BIN)/modcheck
GREMLINS_VERSION := v0.6.0
GREMLINS := $(BIN)/gremlins

RACE ?= -race
TEST_TIMEOUT ?= 20m
FUZZTIME ?= 10s
COVERDIR := $(CURDIR)/.cache/cover
PGDATA := $(CURDIR)/.pgdata
COVERPKG := $(shell $(GO) list -m -f '{{.Path}}/...' | grep -v '/e2e/' | paste -sd, -)

.PHONY: mutate gremlins test-matrix modcheck consumer-check go-min release golangci all test unit e2e lint cover bench fuzz demo db-up db-down tidy postgres help docs docs-check docs-tools

all: test lint

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

test: postgres unit e2e ## unit tests of every module, then the e2e suite (race detector on)

unit: ## unit tests of every module except e2e
	@for m in $(UNIT_MODULES); do \
		echo "== unit: $${m#$(CURDIR)/}"; \
		(cd $$m && $(GO) test $(RACE) -count=1 -timeout $(TEST_TIMEOUT) ./...); \
	done

e2e: postgres ## tests against real PostgreSQL: primary, streaming replica, PgBouncer
	@echo "== e2e"
	cd $(E2E_DIR) && $(GO) test $(RACE) -count=1 -timeout $(TEST_TIMEOUT) ./...

# make test-matrix [PG_VERSIONS="13 18"]: the e2e suite once per PostgreSQL
# major version, servers fetched once into pgtest's cache (docs/guides/pgtest.md).
PG_VERSIONS ?= 13 14 15 16 17 18
test-matrix: ## the e2e suite on PostgreSQL 13 to 18 (PG_VERSIONS), with a pass/fail/skip table
	@cd tools && $(GO) run ./cmd/testmatrix -dir $(E2E_DIR) -versions "$(PG_VERSIONS)" -timeout $(TEST_TIMEOUT) $(if $(RACE),,-race=false)

# make mutate [MUTATE_FLAGS="-only pool,sqlb"]: mutation testing of the
# files .mutate/files.txt lists, one gremlins run a package with its own
# unit tests, one mutant at a time at the lowest CPU priority; prints a
# score table a file (killed / (viable - .mutate/ignore.txt's equivalent
# mutants)) and fails under 90 %. Slow (see README.md), so not in test.
mutate: gremlins ## mutation testing of .mutate/files.txt (gremlins, pinned): a score table a file; slow, not in test
	@cd tools && $(GO) build -o $(BIN)/mutate ./cmd/mutate
	@nice -n 19 $(BIN)/mutate -root $(CURDIR) -gremlins $(GREMLINS) $(MUTATE_FLAGS)

gremlins:
	@if ! $(GO) version -m $(GREMLINS) 2>/dev/null | grep -q "github.com/go-gremlins/gremlins[[:space:]]$(GREMLINS_VERSION)[[:space:]]"; then \
		echo "== installing gremlins $(GREMLINS_VERSION) into $(BIN)"; \
		GOBIN=$(BIN) GOWORK=off $(GO) install github.com/go-gremlins/gremlins/cmd/gremlins@$(GREMLINS_VERSION); \
	fi

# The tidy check runs `go mod tidy -diff` in every module with GOWORK=off,
# as a user's build sees the module, e2e and tools included. Siblings are
# required at versions that may not be on any module proxy yet, so modcheck
# first publishes the working tree into a throwaway file proxy
# (.cache/modcheck/proxy) at the versions the CHANGELOG.md files name and
# puts it in front of GOPROXY. go.sum files carry no checksum of a norm
# module (the working tree's checksum changes with every edit; workspace
# builds and consumers never read them): the check ignores those lines and
# `make tidy` removes them. modcheck also refuses a sibling required at
# another version than its CHANGELOG.md names, a replace directive in a
# published module, and a go.work without the replace of a current version.
lint: golangci modcheck ## golangci-lint (pinned) over every module, and go.mod/go.sum tidy without go.work
	@for m in $(MODULES); do \
		echo "== lint: $${m#$(CURDIR)/}"; \
		(cd $$m && $(GOLANGCI) run --config $(CURDIR)/.golangci.yml ./...); \
	done
	@$(MODCHECK) tidy -root $(CURDIR)

# modcheck (tools/cmd/modcheck) is built from the workspace into ./bin.
modcheck:
	@cd tools && $(GO) build -o $(MODCHECK) ./cmd/modcheck

consumer-check: modcheck ## publish the modules into a throwaway proxy; consumers outside the tree go get, build and run each alone
	@$(MODCHECK) consumer -root $(CURDIR)

go-min: modcheck ## each published module vets, builds and passes its unit tests with the Go toolchain its go directive names
	@$(MODCHECK) gomin -root $(CURDIR)

# make release MODULES_TO_RELEASE="sqlb@v0.2.0 repo@v0.1.1" [DRY_RUN=1]
release: ## release modules (API check, changelog, sibling requires, tags); see docs/releasing.md
	@cd tools && $(GO) run ./cmd/release -root $(CURDIR) $(if $(DRY_RUN),-dry-run) $(MODULES_TO_RELEASE)

golangci:
	@if ! $(GOLANGCI) version 2>/dev/null | grep -q "version $(GOLANGCI_VERSION:v%=%)"; then \
		echo "== installing golangci-lint $(GOLANGCI_VERSION) into $(BIN)"; \
		GOBIN=$(BIN) GOWORK=off $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION); \
	fi

cover: postgres ## one coverage figure over all modules (unit + e2e)
	@rm -rf $(COVERDIR) && mkdir -p $(COVERDIR)/data
	@for m in $(MODULES); do \
		echo "== cover: $${m#$(CURDIR)/}"; \
		(cd $$m && $(GO) test -count=1 -timeout $(TEST_TIMEOUT) -cover -coverpkg=$(COVERPKG) ./... -args -test.gocoverdir=$(COVERDIR)/data) 2>&1 \
			| { grep -v -e '^warning: no packages being tested depend on' -e '^ok ' -e 'no test files' -e 'coverage: ' || true; }; \
	done
	@$(GO) tool covdata textfmt -i=$(COVERDIR)/data -o $(COVERDIR)/cover.out
	@$(GO) tool covdata percent -i=$(COVERDIR)/data
	@$(GO) tool cover -func=$(COVERDIR)/cover.out | tail -n 1

bench: postgres ## benchmarks of every module, beside their baselines, with allocations
	@for m in $(MODULES); do \
		echo "== bench: $${m#$(CURDIR)/}"; \
		(cd $$m && $(GO) test -run '^$$' -bench . -benchmem -count=1 ./...); \
	done

fuzz: ## every fuzz target for FUZZTIME (default 10s) each
	@for m in $(UNIT_MODULES); do \
		for pkg in $$(cd $$m && $(GO) list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.Dir}}{{end}}' ./...); do \
			for f in $$(cd $$pkg && $(GO) test -list '^Fuzz' . | grep '^Fuzz' || true); do \
				echo "== fuzz: $${pkg#$(CURDIR)/} $$f"; \
				(cd $$pkg && $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) .); \
			done; \
		done; \
	done

demo: postgres ## run the demo on a throwaway PostgreSQL
	@cd tools && $(GO) run ./cmd/demo

db-up: postgres ## start a persistent development cluster in ./.pgdata and print its DSN
	@cd tools && $(GO) run ./cmd/pgtmp up -dir $(PGDATA)

db-down: ## stop the development cluster (its data stays in ./.pgdata)
	@cd tools && $(GO) run ./cmd/pgtmp down -dir $(PGDATA)

docs: docs-tools ## build the documentation site into .cache/site (strict: a broken internal link fails)
	mkdocs build --quiet --site-dir $(CURDIR)/.cache/site
	@bash .ci/docs-mermaid $(CURDIR)/.cache/site
	@echo "docs: open $(CURDIR)/.cache/site/index.html"

docs-check: docs ## docs, then headless Chromium checks that pages render
	@bash .ci/docs-smoke $(CURDIR)/.cache/site

# docs-tools installs MkDocs (the site generator, pinned by Debian's
# package) and Chromium with apt-get when missing and run as root.
docs-tools:
	@pkgs=; command -v mkdocs >/dev/null || pkgs="mkdocs"; command -v chromium >/dev/null || pkgs="$$pkgs chromium"; \
	if [ -n "$$pkgs" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "== installing$${pkgs:+ }$$pkgs with apt-get"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkgs >/dev/null; \
		else \
			echo "docs: missing$${pkgs:+ }$$pkgs (Debian/Ubuntu: sudo apt-get install$$pkgs)" >&2; exit 1; \
		fi; \
	fi

tidy: modcheck ## go mod tidy in every module without go.work, against the throwaway proxy (see lint)
	@$(MODCHECK) tidy -write -root $(CURDIR)

# postgres installs the PostgreSQL server and PgBouncer with apt-get when
# they are missing, the process is root and apt-get exists; otherwise it
# only says what is missing (tools/pgtest then explains the options).
postgres:
	@have_pg=; for d in $${NORM_PG_BINDIR:-} /usr/lib/postgresql/*/bin /usr/local/pgsql/bin $$(dirname "$$(command -v initdb 2>/dev/null || echo /x/x)"); do \
		[ -x "$$d/initdb" ] && have_pg=1 && break; done; \
	have_pgb=; { command -v pgbouncer || [ -x /usr/sbin/pgbouncer ]; } >/dev/null 2>&1 && have_pgb=1; \
	[ -n "$${NORM_TEST_DATABASE_URL:-}" ] && have_pg=1 && have_pgb=1; \
	pkgs=; [ -z "$$have_pg" ] && pkgs="postgresql"; [ -z "$$have_pgb" ] && pkgs="$$pkgs pgbouncer"; \
	if [ -n "$$pkgs" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "== installing$${pkgs:+ }$$pkgs with apt-get"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkgs >/dev/null; \
		else \
			echo "note: missing$${pkgs:+ }$$pkgs; install them (Debian/Ubuntu: sudo apt-get install$$pkgs) or set NORM_TEST_DATABASE_URL"; \
		fi; \
	fi
