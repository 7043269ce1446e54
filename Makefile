# fnaudit — build, test, lint, fuzz, bench.
# GOTOOLCHAIN=local: build with the Go on this machine (1.26), never download one.
export GOTOOLCHAIN := local
GO      ?= go
BIN     := bin
FNAUDIT := $(BIN)/fnaudit

# Each fuzz target as <package dir>:<FuzzName>; `make fuzz` runs each for FUZZTIME.
FUZZTIME ?= 60s
FUZZ_TARGETS := \
	./artifact:FuzzOpenZip \
	./artifact:FuzzMergeLayers \
	./provenance:FuzzParseBundle \
	./provenance:FuzzParseDSSE \
	./provenance:FuzzParseStatement \
	./feeds:FuzzParseRecord \
	./feeds:FuzzParseBlockList \
	./feeds:FuzzNormalizeName \
	./feeds:FuzzReadZip \
	./match:FuzzRangeEvaluator \
	./sbom:FuzzPackageJSONInZip

.PHONY: all build test lint fuzz bench demo tools clean

all: lint build test

build:
	$(GO) build -o $(FNAUDIT) ./cmd/fnaudit

# The whole suite CI runs; keep it under 10 minutes on 2 cores.
test: tools
	$(GO) test -count=1 -timeout 15m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

# Go benchmarks, then fnaudit side by side with the peer tools on the same
# inputs (peers installed outside the repository; see DEVELOPERS.md).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x -timeout 60m ./...
	scripts/bench-peers.sh

# Peer tools the tests drive (cosign CLI for provenance interop), built into
# bin/ from their own pinned modules under tools/.
tools: $(BIN)/cosign

# Rebuilt only when the pinned module changes (about 2 minutes on 2 cores).
$(BIN)/cosign: tools/cosign/go.mod tools/cosign/go.sum tools/cosign/tools.go
	@mkdir -p $(BIN)
	cd tools/cosign && GOTOOLCHAIN=local $(GO) build -o ../../$(BIN)/cosign github.com/sigstore/cosign/v2/cmd/cosign

# The README's run command: import the bundled advisories into a temporary
# database and scan the bundled event-stream function (the gate fails, exit 1).
demo:
	@scripts/demo.sh

clean:
	rm -rf $(BIN)
