# notice-audit. `make test` runs every test from nothing on Debian 12 (it installs its own needs).

.PHONY: all build test deps lab-start lab-stop clean

all: build

deps:
	Tests/Lab/install-deps.sh

build: deps
	swift build

test:
	Tests/run-tests.sh

lab-start: deps
	Tests/Lab/lab.sh start

lab-stop:
	Tests/Lab/lab.sh stop

clean:
	Tests/Lab/lab.sh stop
	rm -rf .build Tests/Lab/run
