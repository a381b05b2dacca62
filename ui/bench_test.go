package ui

import (
	"fmt"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// countingKeyring counts every keyring call; it holds nothing.
type countingKeyring struct{ calls atomic.Int64 }

func (k *countingKeyring) Get(string, string) (string, error) {
	k.calls.Add(1)
	return "", fmt.Errorf("countingKeyring: not expected")
}
func (k *countingKeyring) Set(string, string, string) error { k.calls.Add(1); return nil }
func (k *countingKeyring) Delete(string, string) error      { k.calls.Add(1); return nil }

// manyProfiles is n valid profiles of both types.
func manyProfiles(n int) []credentials.Profile {
	ps := make([]credentials.Profile, n)
	for i := range ps {
		p := credentials.Profile{
			ID:       fmt.Sprintf("id-%06d", i),
			Name:     fmt.Sprintf("Profile %06d", i),
			Type:     credentials.TypeApplication,
			TokenURL: fmt.Sprintf("https://idp%d.example.com/oauth2/token", i%37),
			ClientID: fmt.Sprintf("client-%06d", i),
			Scope:    "api:read",
		}
		if i%3 == 0 {
			p.Type, p.AuthURL = credentials.TypeUser, fmt.Sprintf("https://idp%d.example.com/oauth2/auth", i%37)
		}
		if i%5 == 0 {
			p.LastStatus, p.LastCategory, p.LastError = credentials.StatusFailed, "credentials", "invalid_client"
		}
		ps[i] = p
	}
	return ps
}

func TestListingDoesNotTouchTheKeyring(t *testing.T) {
	kr := &countingKeyring{}
	repo := newRepo(t, kr)
	seedNoSecrets(t, repo, manyProfiles(1000)...)
	svc := oauthflow.NewService(repo, nil, nil)
	t.Cleanup(svc.Close)
	h := newHarnessOps(t, repo, svc)
	if len(h.wb.m.Rows()) != 1000 {
		t.Fatalf("%d rows", len(h.wb.m.Rows()))
	}
	test.Type(h.wb.filter, "idp7.")
	test.Tap(h.header(colStatus))
	h.selectProfile(h.cellText(0, colName))
	h.wb.reload()
	h.wb.tick()
	h.q.drain()
	if n := kr.calls.Load(); n != 0 {
		t.Fatalf("loading, filtering, sorting and selecting made %d keyring calls; want 0", n)
	}
}

// BenchmarkLoadTable: read the store and build and lay out the table.
// Run: make bench, or go test -run '^$' -bench 'LoadTable|Filter' ./ui/
func BenchmarkLoadTable(b *testing.B) {
	for _, n := range []int{10, 10000} {
		b.Run(fmt.Sprintf("profiles=%d", n), func(b *testing.B) {
			repo := newRepo(b, &countingKeyring{})
			seedNoSecrets(b, repo, manyProfiles(n)...)
			a := test.NewTempApp(b)
			win := test.NewTempWindow(b, nil)
			win.Resize(fyne.NewSize(1280, 800))
			ops := oauthflow.NewService(repo, nil, nil)
			b.Cleanup(ops.Close)
			q := newUIQueue()
			for b.Loop() {
				w := newWorkbench(a, win, ops, q.do)
				walk(win.Content(), func(fyne.CanvasObject) {})
				if len(w.m.View()) != n {
					b.Fatalf("%d rows", len(w.m.View()))
				}
			}
		})
	}
}

// BenchmarkFilter: type a substring into the filter (narrow and widen again).
func BenchmarkFilter(b *testing.B) {
	for _, n := range []int{10, 10000} {
		b.Run(fmt.Sprintf("profiles=%d", n), func(b *testing.B) {
			repo := newRepo(b, &countingKeyring{})
			seedNoSecrets(b, repo, manyProfiles(n)...)
			a := test.NewTempApp(b)
			win := test.NewTempWindow(b, nil)
			win.Resize(fyne.NewSize(1280, 800))
			ops := oauthflow.NewService(repo, nil, nil)
			b.Cleanup(ops.Close)
			w := newWorkbench(a, win, ops, newUIQueue().do)
			for b.Loop() {
				w.filter.SetText("idp7.example")
				w.filter.SetText("")
			}
			w.filter.SetText("idp7.example")
			if n >= 37 && len(w.m.View()) == 0 {
				b.Fatal("the filter found nothing")
			}
		})
	}
}

// BenchmarkTargetLoad is the "load and show" row: a cold read of the
// store (a new Store, so nothing is cached) to the laid-out table, 10,000
// profiles against 10, both in every iteration (fyne test driver). Target ≤ 2×.
// Run: make bench, or scripts/test.sh -run '^$' -bench TargetLoad -benchtime 5x ./ui/
func BenchmarkTargetLoad(b *testing.B) {
	a := test.NewTempApp(b)
	win := test.NewTempWindow(b, nil)
	win.Resize(fyne.NewSize(1280, 800))
	q := newUIQueue()
	load := func(n int) func() {
		repo := newRepo(b, &countingKeyring{})
		seedNoSecrets(b, repo, manyProfiles(n)...)
		return func() {
			// A store read afresh each time, as at a start.
			cold := &credentials.Repository{Store: credentials.NewStore(repo.Store.Path()), Secrets: repo.Secrets, Now: repo.Now}
			ops := oauthflow.NewService(cold, nil, nil)
			defer ops.Close()
			w := newWorkbench(a, win, ops, q.do)
			walk(win.Content(), func(fyne.CanvasObject) {})
			if len(w.m.View()) != n {
				b.Fatalf("%d rows", len(w.m.View()))
			}
		}
	}
	testenv.Ratio(b, 2, load(10000), load(10))
}
