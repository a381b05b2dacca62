# Installers (issue 7); included from the Makefile, whose VERSION it uses.
# The work is in packaging/package.sh; `make package-help` explains the knobs.
# Everything lands in dist/ (gitignored); the source tree stays clean.

PKG_SCRIPT := packaging/package.sh
# Snapshot VERSION once, so all packages of a run carry the same string.
PKG_VERSION_LABEL := $(VERSION)
PKG_ENV = VERSION='$(PKG_VERSION_LABEL)' GO='$(GO)' $(if $(BUILD_NUMBER),BUILD_NUMBER='$(BUILD_NUMBER)')

.PHONY: package package-linux package-windows package-macos package-check package-help deps-package icon

## package: Linux and Windows packages, then check them (what CI runs)
package: package-linux package-windows package-check

## package-linux: dist/credworkbench-VERSION-linux-ARCH.tar.xz (fyne package), static credctl tarball, SHA256SUMS
package-linux: deps-package
	$(PKG_ENV) $(PKG_SCRIPT) linux

## package-windows: dist/credworkbench-VERSION-windows-amd64.zip (MinGW cross-build), optionally signed
package-windows: deps-package
	$(PKG_ENV) $(PKG_SCRIPT) windows

## package-macos: on a Mac only: .app zip (optionally signed, .pkg, notarized) and credctl tarballs
package-macos:
	$(PKG_ENV) $(PKG_SCRIPT) macos

## package-check: verify what package-linux and package-windows wrote (CHECK="linux" or "windows" for one)
package-check: deps-package
	VERSION='$(PKG_VERSION_LABEL)' scripts/check-packages.sh $(CHECK)

deps-package:
	@if [ "$$(uname -s)" = Linux ]; then scripts/deps.sh package; fi

## icon: re-render assets/icon.png (512) and packaging/windows/credworkbench.ico from assets/icon.svg
icon:
	@command -v rsvg-convert >/dev/null || { echo "icon: rsvg-convert missing (Debian: apt-get install librsvg2-bin)" >&2; exit 1; }
	rsvg-convert -w 512 -h 512 assets/icon.svg -o assets/icon.png
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for s in 16 24 32 48 64 256; do rsvg-convert -w $$s -h $$s assets/icon.svg -o "$$tmp/$$s.png" || exit 1; done && \
	$(GO) run packaging/windows/mkico.go -o packaging/windows/credworkbench.ico "$$tmp"/{16,24,32,48,64,256}.png
	@echo "wrote assets/icon.png and packaging/windows/credworkbench.ico"

package-help:
	@echo 'Packaging targets (output in dist/):'
	@echo '  make package-linux     tar.xz from fyne package (binary, .desktop, icon, Makefile with'
	@echo '                         install / user-install), static credctl tar.gz, SHA256SUMS'
	@echo '  make package-windows   cross-build with MinGW-w64: zip with "Credential Workbench.exe"'
	@echo '                         (icon, manifest, version resource) and credctl.exe; on a Windows'
	@echo '                         machine with Inno Setup (iscc) also the -setup.exe installer'
	@echo '  make package-macos     on a Mac: .app zip; signed .pkg and notarization when configured'
	@echo '  make package-check     verify the Linux and Windows packages and SHA256SUMS'
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
