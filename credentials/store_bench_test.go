package credentials

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkStoreListCold reads a profile file of 10,000 profiles (with
// recorded results) with a new Store each time: what the workbench and
// `credctl list` do at start. Run: go test -run '^$' -bench StoreList ./credentials/
func BenchmarkStoreListCold(b *testing.B) {
	path := filepath.Join(b.TempDir(), "profiles.json")
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	seed := NewStore(path)
	err := seed.Update(func([]Profile) ([]Profile, error) {
		ps := make([]Profile, 10000)
		for i := range ps {
			p := userProfile(fmt.Sprintf("Profile %06d", i))
			p.ID = fmt.Sprintf("%016x", i)
			p.Scope = "openid profile api:read"
			p.Revision, p.CreatedAt, p.UpdatedAt = 1, t0, t0
			p.LastStatus, p.LastChecked, p.TokenExpiry = StatusActive, t0, t0.Add(time.Hour)
			p.Normalize()
			ps[i] = p
		}
		return ps, nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ps, err := NewStore(path).List()
		if err != nil || len(ps) != 10000 {
			b.Fatalf("%d profiles, %v", len(ps), err)
		}
	}
}
