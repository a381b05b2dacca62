package oauthflow

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// deviceUser plays the user on another device: when the code is shown it
// approves (or denies) it at the verification URI.
type deviceUser struct {
	shown chan DeviceCode
	done  chan error
}

func newDeviceUser(act func(ctx context.Context, c DeviceCode) error) *deviceUser {
	d := &deviceUser{shown: make(chan DeviceCode, 1), done: make(chan error, 1)}
	go func() {
		c, ok := <-d.shown
		if !ok || act == nil {
			d.done <- nil
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		d.done <- act(ctx, c)
	}()
	return d
}

func (d *deviceUser) onCode(c DeviceCode) { d.shown <- c }

func approveAs(user, password string) func(context.Context, DeviceCode) error {
	return func(ctx context.Context, c DeviceCode) error {
		return testidp.DeviceApprove(ctx, c.VerificationURI, c.UserCode, user, password)
	}
}

func deviceLogin(t *testing.T, s *Service, name string, opt LoginOptions) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opt.Device = true
	res, err := s.Login(ctx, name, opt)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	return res
}

func TestDeviceLogin(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)

	t.Run("public client: approve, refresh token kept, another process renews, logout", func(t *testing.T) {
		idp.Reset(t)
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		s := NewService(repo, newFakeBrowser(nil), nil)
		defer s.Close()
		var shown DeviceCode
		u := newDeviceUser(func(ctx context.Context, c DeviceCode) error {
			shown = c
			return approveAs(testidp.Username, testidp.Password)(ctx, c)
		})
		res := deviceLogin(t, s, p.Name, LoginOptions{OnDeviceCode: u.onCode})
		if err := <-u.done; err != nil {
			t.Fatalf("approving: %v", err)
		}
		if !res.Active() {
			t.Fatalf("status %s, failure %v", res.Status, res.Failure)
		}
		assertAlice(t, res)
		if shown.Interval != time.Second || shown.Expiry.Before(time.Now()) || !strings.HasPrefix(shown.VerificationURI, idp.Issuer) ||
			!strings.Contains(shown.VerificationURIComplete, "user_code=") {
			t.Errorf("shown %+v", shown)
		}
		if st := idp.Stats(t); st.Grants[testidp.DeviceCodeGrant] != 1 || st.Authorization != 0 {
			t.Errorf("IdP saw %+v, want one device_code grant and no browser authorization", st)
		}
		rt := storedRefreshToken(t, repo, p.ID)
		if rt == "" {
			t.Fatal("no refresh token in the keyring")
		}
		// Another process (a fresh service on the same store) renews with it.
		s2 := NewService(repo, newFakeBrowser(nil), nil)
		defer s2.Close()
		s2.Tokens = nil
		tr, err := s2.Test(context.Background(), p.Name)
		if err != nil || !tr.Active() {
			t.Fatalf("renewal in another process: %v %+v", err, tr.Failure)
		}
		if err := s.Logout(context.Background(), p.Name); err != nil {
			t.Fatal(err)
		}
		if _, err := repo.Secrets.Get(p.ID, credentials.RefreshToken); !errors.Is(err, credentials.ErrSecretNotFound) {
			t.Fatalf("refresh token after logout: %v", err)
		}
	})

	for _, m := range []credentials.AuthMethod{credentials.AuthBasic, credentials.AuthPost} {
		t.Run("confidential client, "+string(m), func(t *testing.T) {
			repo := loginRepo(t)
			p := saveUserProfile(t, repo, idp.Issuer, testidp.ConfidentialClientID, testidp.ConfidentialClientSecret,
				func(p *credentials.Profile) { p.AuthMethod = m })
			s := NewService(repo, newFakeBrowser(nil), nil)
			defer s.Close()
			u := newDeviceUser(approveAs(testidp.Username, testidp.Password))
			res := deviceLogin(t, s, p.Name, LoginOptions{OnDeviceCode: u.onCode})
			if err := <-u.done; err != nil {
				t.Fatalf("approving: %v", err)
			}
			if !res.Active() {
				t.Fatalf("status %s, failure %v", res.Status, res.Failure)
			}
		})
	}

	t.Run("slow_down is honoured and reported", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		s := NewService(repo, newFakeBrowser(nil), nil)
		defer s.Close()
		idp.SetDeviceSlowDown(t, 1)
		defer idp.Reset(t)
		u := newDeviceUser(func(ctx context.Context, c DeviceCode) error {
			// Approve after the first poll, which gets slow_down.
			time.Sleep(1500 * time.Millisecond)
			return approveAs(testidp.Username, testidp.Password)(ctx, c)
		})
		begin := time.Now()
		res := deviceLogin(t, s, p.Name, LoginOptions{OnDeviceCode: u.onCode})
		if err := <-u.done; err != nil {
			t.Fatalf("approving: %v", err)
		}
		if !res.Active() {
			t.Fatalf("status %s, failure %v", res.Status, res.Failure)
		}
		if d := time.Since(begin); d < 6*time.Second {
			t.Errorf("the login took %s: slow_down must add 5 s to the 1 s interval", d)
		}
		if !strings.Contains(strings.Join(res.Warnings, " "), "slow_down") {
			t.Errorf("warnings %q do not mention slow_down", res.Warnings)
		}
	})

	t.Run("access_denied", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		s := NewService(repo, newFakeBrowser(nil), nil)
		defer s.Close()
		u := newDeviceUser(func(ctx context.Context, c DeviceCode) error {
			return testidp.DeviceDeny(ctx, c.VerificationURI, c.UserCode)
		})
		res := deviceLogin(t, s, p.Name, LoginOptions{OnDeviceCode: u.onCode})
		if err := <-u.done; err != nil {
			t.Fatalf("denying: %v", err)
		}
		if res.Active() || res.Failure == nil || res.Failure.Category != CatLogin || !strings.Contains(res.Failure.Message, "denied") {
			t.Fatalf("result %s %+v", res.Status, res.Failure)
		}
		if _, err := repo.Secrets.Get(p.ID, credentials.RefreshToken); !errors.Is(err, credentials.ErrSecretNotFound) {
			t.Fatalf("a refresh token after a denied login: %v", err)
		}
		got, _ := repo.Get(p.ID)
		if got.LastStatus != credentials.StatusFailed {
			t.Errorf("recorded status %s", got.LastStatus)
		}
	})

	t.Run("our timeout while authorization_pending", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		s := NewService(repo, newFakeBrowser(nil), nil)
		defer s.Close()
		u := newDeviceUser(nil) // nobody approves
		res := deviceLogin(t, s, p.Name, LoginOptions{OnDeviceCode: u.onCode, Timeout: 2500 * time.Millisecond})
		<-u.done
		if res.Failure == nil || res.Failure.Category != CatLogin || !strings.Contains(res.Failure.Message, "authorization_pending") {
			t.Fatalf("result %s %+v", res.Status, res.Failure)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		s := NewService(repo, newFakeBrowser(nil), nil)
		defer s.Close()
		u := newDeviceUser(func(ctx context.Context, c DeviceCode) error {
			if !s.CancelLogin(p.Name) {
				return errors.New("no pending login to cancel")
			}
			return nil
		})
		res := deviceLogin(t, s, p.Name, LoginOptions{OnDeviceCode: u.onCode})
		if err := <-u.done; err != nil {
			t.Fatal(err)
		}
		if res.Failure == nil || res.Failure.Category != CatCancelled {
			t.Fatalf("result %s %+v", res.Status, res.Failure)
		}
	})

	t.Run("client not allowed the device grant", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.AppClientID, testidp.AppClientSecret, nil)
		s := NewService(repo, newFakeBrowser(nil), nil)
		defer s.Close()
		u := newDeviceUser(nil)
		res := deviceLogin(t, s, p.Name, LoginOptions{OnDeviceCode: u.onCode})
		close(u.shown)
		if res.Failure == nil || res.Failure.Category != CatConfig || !strings.Contains(res.Failure.Message, "device authorization grant") {
			t.Fatalf("result %s %+v", res.Status, res.Failure)
		}
		if strings.Contains(res.Failure.Error(), testidp.AppClientSecret) {
			t.Fatal("the secret leaked into the failure")
		}
	})

	t.Run("no device endpoint without discovery", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, "", testidp.PublicClientID, "", func(p *credentials.Profile) {
			p.AuthURL, p.TokenURL = idp.AuthURL, idp.TokenURL
		})
		s := NewService(repo, newFakeBrowser(nil), nil)
		defer s.Close()
		u := newDeviceUser(nil)
		res := deviceLogin(t, s, p.Name, LoginOptions{OnDeviceCode: u.onCode})
		close(u.shown)
		if res.Failure == nil || res.Failure.Category != CatConfig || !strings.Contains(res.Failure.Message, "device_authorization_endpoint") {
			t.Fatalf("result %s %+v", res.Status, res.Failure)
		}
	})

	t.Run("OnDeviceCode is required", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		s := NewService(repo, newFakeBrowser(nil), nil)
		defer s.Close()
		if _, err := s.Login(context.Background(), p.Name, LoginOptions{Device: true}); err == nil {
			t.Fatal("a device login without OnDeviceCode started")
		}
	})
}

// TestDeviceLoginExpiredCode: the IdP's code lifetime ends the polling.
func TestDeviceLoginExpiredCode(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithDeviceCodeTTL(2*time.Second))
	repo := loginRepo(t)
	p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
	s := NewService(repo, newFakeBrowser(nil), nil)
	defer s.Close()
	u := newDeviceUser(nil)
	res := deviceLogin(t, s, p.Name, LoginOptions{OnDeviceCode: u.onCode})
	<-u.done
	if res.Failure == nil || res.Failure.Category != CatLogin || !strings.Contains(res.Failure.Message, "expired_token") {
		t.Fatalf("result %s %+v", res.Status, res.Failure)
	}
}
