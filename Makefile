# govapp — what developers and CI run. `make check` is exactly what CI runs.
#
# Go packages are named by explicit patterns, never ./..., so that the
# node_modules folders of sdk-js/ and the templates are never walked.
# A folder with no .go files (yet) is left out.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
LDFLAGS := -X github.com/govapp/govapp/devcli.Version=$(VERSION) -X github.com/govapp/govapp/devcli.Commit=$(COMMIT)

# Top-level Go trees of the module; scripts/ holds depscheck and its test.
GO_DIRS      := platform devcli hotupdate templates sandbox bench scripts
GO_PATTERNS  := $(strip $(foreach d,$(GO_DIRS),$(if $(shell find $(d) -name node_modules -prune -o -name '*.go' -print -quit 2>/dev/null),./$(d)/...)))
CROSS_ARCHES := linux/amd64 linux/arm64 linux/loong64
TESTFLAGS    ?=

# Targets that change go.mod (tidy-check) must not overlap with the others.
.NOTPARALLEL:
.PHONY: run build test cross deps-check tidy-check fmt-check vet check

run:
	$(GO) run ./devcli/cmd/govapp serve

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/govapp ./devcli/cmd/govapp

test:
	@test -n "$(GO_PATTERNS)" || { echo "test: no Go files under $(GO_DIRS); run make from the repository root"; exit 1; }
	$(GO) test -count=1 -timeout 300s $(TESTFLAGS) $(GO_PATTERNS)

vet:
	$(GO) vet $(GO_PATTERNS)

fmt-check:
	@files=$$(git ls-files --cached --others --exclude-standard -- '*.go' | grep -v '/node_modules/' || true); \
	if [ -z "$$files" ]; then echo "fmt-check: no Go files"; exit 0; fi; \
	bad=$$(gofmt -l $$files); \
	if [ -n "$$bad" ]; then echo "fmt-check: these files need gofmt -w:"; echo "$$bad"; exit 1; fi; \
	echo "fmt-check: ok"

deps-check:
	$(GO) run ./scripts/depscheck

tidy-check:
	$(GO) mod tidy
	@git diff --exit-code go.mod go.sum || { echo "tidy-check: go.mod/go.sum were not tidy; commit the result of 'go mod tidy'"; exit 1; }

cross:
	@set -e; for target in $(CROSS_ARCHES); do \
		echo "cross: $$target"; \
		CGO_ENABLED=0 GOOS=$${target%/*} GOARCH=$${target#*/} $(GO) build $(GO_PATTERNS); \
	done

check: fmt-check vet deps-check test tidy-check cross
