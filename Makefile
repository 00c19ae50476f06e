# notice-audit. `make test` runs every test from nothing on Debian 12 (it installs its own needs);
# `make scan` runs the nightly scan on inventory.json; `make demo` scans the lab's demo consortium.

.PHONY: all build test scan demo deps build-deps lab-start lab-stop clean

all: build

build-deps:
	Tests/Lab/install-deps.sh --build-only

deps:
	Tests/Lab/install-deps.sh

build: build-deps
	swift build

test:
	Tests/run-tests.sh

# The main job: a release build (Swift's runtime and Foundation linked in, as deploy/Dockerfile
# builds it: the host needs no Swift, and a scan keeps 5 MiB less resident, docs/benchmarks.md),
# then the scan with the defaults (system DNS, the Ex Libris page, history.sqlite, Reports/),
# ending with the digest and the paths of summary.md and index.html.
# Fails only when the scan could not run; institutions not compliant are a result (deploy/make-scan.sh).
scan: build-deps
	swift build -c release --product notice-audit --static-swift-stdlib
	deploy/make-scan.sh --inventory inventory.json --db history.sqlite --reports Reports

demo:
	Tests/Lab/demo/run-demo.sh

lab-start: deps
	Tests/Lab/lab.sh start

lab-stop:
	Tests/Lab/lab.sh stop

clean:
	Tests/Lab/lab.sh stop
	rm -rf .build Tests/Lab/run
