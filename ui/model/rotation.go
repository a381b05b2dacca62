package model

import (
	"fmt"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// The outcome of a rotation at the IdP in words: each step done, the step
// that failed and why, what is left at the IdP, what is still pending.

// RotationSteps are the steps in the order they run.
var RotationSteps = []oauthflow.RotationStep{oauthflow.StepFind, oauthflow.StepMint, oauthflow.StepStore,
	oauthflow.StepTest, oauthflow.StepSwitch, oauthflow.StepRevoke}

// StepProgress is the line shown while a step runs (before the outcome).
func StepProgress(api string) string {
	at := APILabel(api)
	return "• Finding the app at " + at + "…\n• Creating a new secret at " + at + ", keeping it in the OS keyring…\n" +
		"• Testing it at the token endpoint, switching the profile to it…\n• Revoking the old secret as chosen…"
}

// stepDone is a completed step's line.
func stepDone(r oauthflow.Rotation, s oauthflow.RotationStep) string {
	at := APILabel(r.API)
	switch s {
	case oauthflow.StepFind:
		app := r.App
		if app == "" {
			app = "the app"
		}
		return "Found " + app + " at " + at + keyNote(" (the secret in use: keyId %s)", r.OldKeyID)
	case oauthflow.StepMint:
		return "Created a new secret at " + at + keyNote(" (keyId %s)", r.NewKeyID)
	case oauthflow.StepStore:
		return "Kept the new secret in the OS keyring"
	case oauthflow.StepTest:
		return "The token endpoint accepted the new secret"
	case oauthflow.StepSwitch:
		return "The profile uses the new secret now"
	case oauthflow.StepRevoke:
		return "Revoked the old secret at " + at + keyNote(" (keyId %s)", r.OldKeyID)
	}
	return string(s)
}

// stepFailed is the failed step's line.
func stepFailed(r oauthflow.Rotation, s oauthflow.RotationStep) string {
	at := APILabel(r.API)
	switch s {
	case oauthflow.StepFind:
		return "Finding the app and its secrets at " + at + " failed"
	case oauthflow.StepMint:
		return "Creating a new secret at " + at + " failed"
	case oauthflow.StepStore:
		return "Keeping the new secret in the OS keyring failed"
	case oauthflow.StepTest:
		return "The new secret failed its test at the token endpoint"
	case oauthflow.StepSwitch:
		return "Switching the profile to the new secret failed"
	case oauthflow.StepRevoke:
		return "Revoking the old secret at " + at + " failed"
	}
	return "Step " + string(s) + " failed"
}

func keyNote(format, id string) string {
	if id == "" {
		return ""
	}
	return fmt.Sprintf(format, shortKey(id))
}

// RotationReport is the Rotate dialog's outcome: ✓ per step done, ✗ the
// step that failed with why and what to check, what is left at the IdP
// and what is still pending.
func RotationReport(r oauthflow.Rotation, now time.Time) string {
	var b strings.Builder
	for _, s := range r.Done {
		b.WriteString("✓ " + stepDone(r, s) + "\n")
	}
	if r.Skipped {
		b.WriteString("• Nothing was done")
		if r.Left != "" {
			b.WriteString(": " + r.Left)
		}
		b.WriteString("\n")
		return strings.TrimSpace(b.String())
	}
	if !r.OK() {
		// What failed and what is left first (the dialog shows them without
		// scrolling); the IdP's long error after.
		step := r.Failed
		b.WriteString("✗ " + stepFailed(r, step) + ".\n")
		if r.Left != "" {
			b.WriteString("Left at the IdP: " + r.Left + "\n")
		} else if !r.Did(oauthflow.StepSwitch) {
			b.WriteString("• The profile keeps its old secret, which still works.\n")
		}
		if r.Failure != nil {
			b.WriteString("Why: " + r.Failure.Error() + "\n")
			// The IdP's own errors carry their advice (which permission to
			// grant); a refused test is the token endpoint's, with ours.
			if a := r.Failure.Advice(); a != "" && step == oauthflow.StepTest {
				b.WriteString("What to check: " + a + "\n")
			}
		}
	}
	if line := PendingText(r.Pending, now); line != "" {
		b.WriteString("• " + line + "\n")
	} else if r.OK() && r.Did(oauthflow.StepSwitch) && !r.Did(oauthflow.StepRevoke) && r.OldKeyID != "" {
		b.WriteString("• The old secret" + keyNote(" (keyId %s)", r.OldKeyID) + " stays valid at " + APILabel(r.API) +
			": revoke it there when nothing uses it any more.\n")
	}
	return strings.TrimSpace(b.String())
}

// RotationLine is one line of a rotation for the status bar or a notice.
func RotationLine(r oauthflow.Rotation) string {
	switch {
	case r.Skipped:
		return r.Profile + ": nothing to do (" + firstLine(r.Left) + ")"
	case !r.OK():
		why := ""
		if r.Failure != nil {
			why = ": " + firstLine(r.Failure.Error())
		}
		return r.Profile + ": " + strings.ToLower(stepFailed(r, r.Failed)[:1]) + stepFailed(r, r.Failed)[1:] + why
	case r.Did(oauthflow.StepRevoke) && !r.Did(oauthflow.StepSwitch):
		return r.Profile + ": old secret revoked at " + APILabel(r.API) + keyNote(" (keyId %s)", r.OldKeyID)
	case r.Did(oauthflow.StepSwitch):
		s := r.Profile + ": rotated at " + APILabel(r.API)
		if !r.Pending.IsZero() {
			s += ", old secret pending revocation"
		}
		return s
	}
	return r.Profile + ": done"
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// BulkSummary is one summary of several rotations: what was rotated, what
// failed with its reason, what is pending revocation.
func BulkSummary(rs []oauthflow.Rotation, now time.Time) string {
	var rotated, failed, pending []string
	for _, r := range rs {
		switch {
		case !r.OK():
			failed = append(failed, "✗ "+RotationLine(r))
			if r.Left != "" {
				failed = append(failed, "   Left at the IdP: "+r.Left)
			}
		case r.Skipped:
			failed = append(failed, "• "+RotationLine(r))
		default:
			rotated = append(rotated, "✓ "+r.Profile+keyNote(" (new keyId %s)", r.NewKeyID))
		}
		if line := PendingText(r.Pending, now); line != "" {
			pending = append(pending, "• "+r.Profile+": "+line)
		}
	}
	var b strings.Builder
	section := func(title string, lines []string) {
		if len(lines) > 0 {
			fmt.Fprintf(&b, "%s\n%s\n\n", title, strings.Join(lines, "\n"))
		}
	}
	section(fmt.Sprintf("Rotated (%d):", len(rotated)), rotated)
	section(fmt.Sprintf("Failed (%d):", countPrefix(failed, "✗")+countPrefix(failed, "•")), failed)
	section(fmt.Sprintf("Pending revocation (%d):", len(pending)), pending)
	if b.Len() == 0 {
		return "Nothing was rotated."
	}
	return strings.TrimSpace(b.String())
}

func countPrefix(lines []string, p string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, p) {
			n++
		}
	}
	return n
}

// PendingText is a pending step in words ("" when none), with why its
// last try failed.
func PendingText(pa credentials.PendingAtIdP, now time.Time) string {
	s := pendingStep(pa, now)
	if s != "" && pa.LastError != "" {
		s += " Last try failed: " + firstLine(pa.LastError)
	}
	return s
}

func pendingStep(pa credentials.PendingAtIdP, now time.Time) string {
	at := APILabel(pa.API)
	switch pa.Step {
	case "":
		return ""
	case "switch":
		return fmt.Sprintf("A new secret (keyId %s) was created at %s and is kept in the keyring, but the profile "+
			"does not use it yet: test and switch to it now, or remove it at the IdP.",
			shortKey(pa.NewKeyID), at)
	case "revoke":
		old := fmt.Sprintf("Old secret (keyId %s)", shortKey(pa.OldKeyID))
		switch {
		case pa.Due.IsZero():
			return old + " is still valid at " + at + ": revoke it when nothing uses it any more."
		case !now.Before(pa.Due):
			return old + " is due to be revoked at " + at + " now (the workbench or the next credctl command does it)."
		}
		return old + " will be revoked at " + at + " on " + pa.Due.Local().Format("2006-01-02 15:04") + "."
	}
	return "A step at " + at + " is pending: " + pa.Step + "."
}
