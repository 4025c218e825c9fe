# vlmtune: the commands the README names. Everything builds in release mode: debug builds
# run numeric loops 10-100x slower.
SWIFT ?= swift
RELEASE = -c release
TESTFLAGS = $(RELEASE) -Xswiftc -enable-testing --disable-swift-testing

.PHONY: setup build test demo bench clean

setup:
	@bash scripts/setup.sh

build: setup
	$(SWIFT) build $(RELEASE)

test: setup
	$(SWIFT) test $(TESTFLAGS)

demo: build
	.build/release/vlmtune demo

bench: build
	.build/release/vlmtune bench ops

clean:
	rm -rf .build
