# Installers (issue 7); included from the Makefile, whose VERSION it uses.
# The work is in packaging/package.sh; `make package-help` explains the knobs.
# Everything lands in dist/ (gitignored); the source tree stays clean.

PKG_SCRIPT := packaging/package.sh
# Snapshot VERSION once, so all packages of a run carry the same string.
PKG_VERSION_LABEL := $(VERSION)
PKG_ENV = VERSION='$(PKG_VERSION_LABEL)' GO='$(GO)' $(if $(BUILD_NUMBER),BUILD_NUMBER='$(BUILD_NUMBER)')

ACTIONLINT := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

.PHONY: package package-linux package-windows package-darwin-cli package-macos package-check package-test \
	package-help deps-package deps-package-test actionlint icon

## package: Linux, Windows and macOS-credctl packages, then check them (what CI runs)
package: package-linux package-windows package-darwin-cli
	$(MAKE) --no-print-directory package-check CHECK="linux windows darwin"

## package-linux: dist/ .deb, .rpm (nfpm), .tar.xz (fyne package), static credctl tarball, SHA256SUMS
package-linux: deps-package
	$(PKG_ENV) $(PKG_SCRIPT) linux

## package-windows: dist/ .msi (wixl) and .zip (MinGW cross-build), optionally signed
package-windows: deps-package
	$(PKG_ENV) $(PKG_SCRIPT) windows

## package-darwin-cli: dist/credctl-VERSION-darwin-{amd64,arm64}.tar.gz (cross-built, no cgo)
package-darwin-cli: deps-package
	$(PKG_ENV) $(PKG_SCRIPT) darwin_cli

## package-test: install the built .deb (apt, as root) and the MSI (Wine) and use what they installed
## (TEST=Deb or TEST=Windows for one). Needs make package first; changes the machine: CI's job.
package-test: deps-package-test node-deps
	VERSION='$(PKG_VERSION_LABEL)' scripts/test.sh -tags installtest -count=1 -timeout 30m -v \
		-run '$(if $(TEST),Test$(TEST),.)' ./packaging/installtest/

deps-package-test:
	@scripts/deps.sh package-test

## actionlint: every workflow in .github/workflows (pinned actionlint)
actionlint: $(call tool-bin,$(ACTIONLINT))
	$< -no-color

## package-macos: on a Mac only: .app zip (optionally signed, .pkg, notarized) and credctl tarballs
package-macos:
	$(PKG_ENV) $(PKG_SCRIPT) macos

## package-check: verify what the package targets wrote (CHECK="linux", "windows" or "darwin" for one)
package-check: deps-package
	VERSION='$(PKG_VERSION_LABEL)' scripts/check-packages.sh $(CHECK)

deps-package:
	@if [ "$$(uname -s)" = Linux ]; then scripts/deps.sh package; fi

## icon: re-render assets/icon.png (512), assets/icon-256.png (the .deb/.rpm's hicolor 256x256) and packaging/windows/credworkbench.ico from assets/icon.svg
icon:
	@command -v rsvg-convert >/dev/null || { echo "icon: rsvg-convert missing (Debian: apt-get install librsvg2-bin)" >&2; exit 1; }
	rsvg-convert -w 512 -h 512 assets/icon.svg -o assets/icon.png
	rsvg-convert -w 256 -h 256 assets/icon.svg -o assets/icon-256.png
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for s in 16 24 32 48 64 256; do rsvg-convert -w $$s -h $$s assets/icon.svg -o "$$tmp/$$s.png" || exit 1; done && \
	$(GO) run packaging/windows/mkico.go -o packaging/windows/credworkbench.ico "$$tmp"/{16,24,32,48,64,256}.png
	@echo "wrote assets/icon.png, assets/icon-256.png and packaging/windows/credworkbench.ico"

package-help:
	@echo 'Packaging targets (output in dist/):'
	@echo '  make package-linux     .deb and .rpm (nfpm), tar.xz from fyne package (binary, .desktop,'
	@echo '                         icon, Makefile with install / user-install), credctl tar.gz, SHA256SUMS'
	@echo '  make package-windows   cross-build with MinGW-w64: .msi (wixl) and zip with'
	@echo '                         "Credential Workbench.exe" (icon, manifest, version resource) and credctl.exe'
	@echo '  make package-darwin-cli credctl for macOS amd64/arm64 (the .app needs a Mac: package-macos)'
	@echo '  make package-test      install the .deb (apt, root) and the .msi (Wine) and test them'
	@echo '  make package-macos     on a Mac: .app zip; signed .pkg and notarization when configured'
	@echo '  make package-check     verify the packages (lintian, appstreamcli, msiinfo, file) and SHA256SUMS'
	@echo '  make icon              re-render the PNG and ICO icons from assets/icon.svg'
	@echo 'Version: VERSION=$(PKG_VERSION_LABEL) (git tag without v); packages need x.y.z, so an'
	@echo 'untagged build uses FyneApp.toml'"'"'s Version for the metadata. BUILD_NUMBER defaults'
	@echo 'to the commit count (CI: the run number).'
	@echo 'Authenticode signing of package-windows (osslsigncode; never commit a key):'
	@echo '  SIGN_PKCS12=cert.pfx  or  SIGN_CERT=chain.pem SIGN_KEY=key.pem'
	@echo '  password: SIGN_PASSWORD_FILE=path  or  SIGN_PASSWORD_ENV=NAME_OF_VARIABLE'
	@echo '  optional: SIGN_TIMESTAMP_URL=http://timestamp.digicert.com'
	@echo '  e.g. SIGN_PKCS12=~/keys/cw.pfx SIGN_PASSWORD_ENV=CW_PFX_PASS make package-windows'
	@echo 'macOS signing (package-macos): MACOS_APP_IDENTITY="Developer ID Application: ..."'
	@echo '  MACOS_INSTALLER_IDENTITY="Developer ID Installer: ..." (builds a .pkg)'
	@echo '  MACOS_NOTARY_PROFILE=name (xcrun notarytool store-credentials) to notarize the .pkg'
