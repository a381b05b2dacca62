package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

func TestFormHelpsInsteadOfHindering(t *testing.T) {
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo,
		credentials.Profile{Name: "Portal", Type: credentials.TypeUser, IssuerURL: "https://idp.example.com",
			ClientID: "portal", RefreshInterval: credentials.Duration(5 * time.Minute)},
		credentials.Profile{Name: "Batch", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token",
			ClientID: "batch", Bookkeeping: credentials.Bookkeeping{HasSecret: true, SecretSetAt: time.Now(), SecretRotatedAt: time.Now()}})
	h := newHarness(t, repo, nil)

	// The Name example obeys the name rule.
	h.shortcut(fyne.KeyN)
	f := h.wb.screens.form
	example := strings.TrimPrefix(f.name.PlaceHolder, "e.g. ")
	err := credentials.Validate(credentials.Profile{Name: example}, credentials.ValidateOptions{})
	if ve, ok := err.(*credentials.ValidationError); ok && ve.For(credentials.FieldName) != "" {
		t.Errorf("the Name example %q is refused: %s", example, ve.For(credentials.FieldName))
	}
	// An untouched Add form closes on Escape at once.
	h.key(fyne.KeyEscape)
	if h.wb.dialogs.top() != nil {
		t.Fatal("Escape on an unchanged form should close it")
	}

	// A public User client has no client authentication; durations read as people write them.
	h.selectProfile("Portal")
	h.wb.screens.editSelected()
	f = h.wb.screens.form
	if f.fields[credentials.FieldAuthMethod].label.Visible() {
		t.Error("a public User client shows a client authentication method")
	}
	if f.refresh.Text != "5m" {
		t.Errorf("refresh interval shown as %q", f.refresh.Text)
	}
	test.Type(f.secret, "s3cret")
	if !f.fields[credentials.FieldAuthMethod].label.Visible() {
		t.Error("with a secret typed the client authentication method should show")
	}
	// Escape on a changed form (a typed secret!) asks first; the second discards.
	h.key(fyne.KeyEscape)
	if h.wb.dialogs.top() == nil || !strings.Contains(f.problems.Text, "typed secret") || f.s.button("Cancel").Text != "Discard changes" {
		t.Fatalf("the first Escape should warn about the typed secret; problems %q", f.problems.Text)
	}
	f.secret.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.wb.dialogs.top() != nil {
		t.Fatal("the second Escape should discard")
	}

	// A problem names its field; Enter on an invalid form stays and scrolls to it.
	h.wb.screens.editSelected()
	f = h.wb.screens.form
	f.clientID.SetText("")
	if !strings.Contains(f.problems.Text, "Client ID") {
		t.Errorf("the summary should name the field: %q", f.problems.Text)
	}
	f.scroll.Offset = fyne.NewPos(0, 400)
	f.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if h.wb.dialogs.top() == nil {
		t.Fatal("Enter on an invalid form must not close it")
	}
	if f.scroll.Offset.Y >= 400 {
		t.Errorf("Enter should scroll to the first problem; offset %v", f.scroll.Offset.Y)
	}
	// Enter saves when valid.
	test.Type(f.clientID, "portal-2")
	f.clientID.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitFor("the save", func() bool { return h.wb.screens.form == nil })
	if p, _ := repo.Get("Portal"); p.ClientID != "portal-2" {
		t.Errorf("client ID after Enter = %q", p.ClientID)
	}

	// The stored-secret hint has no nested parentheses; the details show 5m.
	h.selectProfile("Batch")
	if !strings.Contains(texts(h.wb.details.box), "5m\n") {
		t.Errorf("details should show the refresh interval as 5m:\n%s", texts(h.wb.details.box))
	}
	h.wb.screens.editSelected()
	hint := h.wb.screens.form.secretHint.Text
	if strings.Contains(hint, "(") || !strings.Contains(hint, "rotated") {
		t.Errorf("secret hint %q: no parentheses, with the dates", hint)
	}
}

// texts is every label under o, one a line.
func texts(o fyne.CanvasObject) string {
	var b strings.Builder
	walk(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}
