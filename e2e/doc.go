// Package e2e is the end-to-end suite: it runs bin/credworkbench and
// bin/credctl exactly as `make build` and `make credctl` build them, on a
// real X display (Xvfb), the real Secret Service (gnome-keyring), the test
// IdP (internal/testidp, a real oidc-provider) and the test APIs
// (internal/testapi), and checks what a user sees: the window's pixels read
// by OCR (tesseract), the app's own files, and credctl's output. A feature
// counts as done when a scenario here shows it working.
//
// # Running
//
//	make build credctl node-deps            # or let the suite run make
//	scripts/test.sh -count=1 -v ./e2e/      # one scenario: -run TestAddEditDelete
//
// scripts/test.sh provides the private D-Bus session with an unlocked
// gnome-keyring, Xvfb and a throw-away HOME. Outside it the scenarios skip;
// with CI=true anything missing (keyring, display, xdotool, ImageMagick,
// tesseract, Node.js for the IdP) fails them instead. The Debian packages
// are in scripts/deps.sh's `test` list. When bin/credworkbench or
// bin/credctl is missing or older than any Go source, TestMain runs
// `make build credctl` first. Scenarios run one after the other, one window
// at a time. On a failure the last screenshot is logged and kept: in
// `go test -artifacts` output, in $E2E_ARTIFACTS when set, else in a
// folder under the temp directory whose path the log names.
// `-update-screenshots` rewrites the README's docs/screenshot-*.png from
// the real window.
//
// # The harness (in the _test.go files)
//
// TestMain builds the binaries if needed and starts one IdP for the
// package (sharedIdP; clients and users as internal/testidp's defaults:
// "app"/"app-secret" for client credentials, "public-user" for logins,
// alice/wonderland).
//
//   - New(t) gives a scenario its world H: a temp HOME, XDG_CONFIG_HOME
//     (profiles.json, the token store), XDG_RUNTIME_DIR (the one-instance
//     socket), the shared keyring session (DBUS_SESSION_BUS_ADDRESS is
//     inherited) and the shared IdP in H.IdP; its profiles are deleted
//     from the keyring at the end. H.StartIdP starts an IdP with options,
//     H.API a JSON resource server for an IdP's tokens.
//   - H.AddApp / H.AddUser add profiles for the IdP's clients via credctl.
//   - H.Credctl(args...) runs bin/credctl and returns Result (Stdout,
//     Stderr, Code); CredctlIn gives it a standard input, MustCredctl fails
//     the test on a non-zero exit, StartCredctl returns a running Proc whose
//     standard error can be read line by line (WaitLine) before Wait.
//   - H.LoginBrowser(user, password) sets $BROWSER for every later process
//     of H to a script that hands the login address to the harness, which
//     signs in there with headless Chromium (Playwright), or with the
//     net/http browser after Browser.UseQuick; Browser.Wait returns the
//     login's outcome. H.DeviceLogin runs `credctl login NAME --device` and
//     approves the shown user code at the IdP as the given user.
//   - H.StartWorkbench(args...) starts bin/credworkbench and waits for its
//     window (xdotool search --sync on the process's window); RunWorkbench
//     runs one to its end (a second start). Window has Resize, Key ("ctrl+t",
//     "Return", "Delete"), Type, Click(x, y) in window pixels, Screenshot
//     (PNG path), OCR (tesseract on a 2x enlarged grey copy: Screen with the
//     text and each word's box), WaitText / WaitGone (polling OCR),
//     ClickText (click the words where OCR found them) and Stop (SIGTERM,
//     5 s, SIGKILL; also done at the end of the test).
//
// # Reading the window
//
// OCR reads the table, tree, toolbar, forms, details pane and status bar
// well, including the red and green status words. Two things it reads
// badly: a selected (highlighted) table row, so check a selected
// profile in the details pane ("Status: Active", "Username alice"); and a
// dialog's buttons, so press those by keyboard (Enter for Save and OK; Tab
// and space for the others). Status-bar messages are replaced quickly
// (e.g. "Saved" by the test that follows): wait for lasting state instead.
// Look at the screenshots of a failing scenario: they show what a person
// would have seen.
package e2e
