package testidp_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// TestDeviceFlow checks the IdP's device authorization grant and the test
// browser that approves or denies a user code.
func TestDeviceFlow(t *testing.T) {
	idp := testidp.Start(t, testidp.WithDeviceCodeTTL(4*time.Second))
	if idp.DeviceAuthURL == "" {
		t.Fatal("discovery names no device_authorization_endpoint")
	}
	cfg := oauth2.Config{ClientID: testidp.PublicClientID, Scopes: []string{"openid", "offline_access", "api:read"},
		Endpoint: oauth2.Endpoint{DeviceAuthURL: idp.DeviceAuthURL, TokenURL: idp.TokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := func(t *testing.T) *oauth2.DeviceAuthResponse {
		da, err := cfg.DeviceAuth(ctx, oauth2.SetAuthURLParam("resource", testidp.Resource))
		if err != nil {
			t.Fatal(err)
		}
		if da.Interval != 1 || da.UserCode == "" || da.VerificationURI == "" {
			t.Fatalf("device authorization response %+v", da)
		}
		return da
	}

	t.Run("approve", func(t *testing.T) {
		da := start(t)
		idp.SetDeviceSlowDown(t, 0)
		go func() {
			_ = testidp.DeviceApprove(ctx, da.VerificationURI, da.UserCode, testidp.Username, testidp.Password)
		}()
		tok, err := cfg.DeviceAccessToken(ctx, da)
		if err != nil {
			t.Fatal(err)
		}
		if tok.RefreshToken == "" || tok.Extra("id_token") == nil {
			t.Fatalf("token %+v without refresh or ID token", tok)
		}
		if err := testidp.DeviceApprove(ctx, da.VerificationURI, da.UserCode, testidp.Username, testidp.Password); !errors.Is(err, testidp.ErrDeviceCodeRejected) {
			t.Fatalf("a used code: %v", err)
		}
	})
	t.Run("deny", func(t *testing.T) {
		da := start(t)
		if err := testidp.DeviceDeny(ctx, da.VerificationURI, da.UserCode); err != nil {
			t.Fatal(err)
		}
		_, err := cfg.DeviceAccessToken(ctx, da)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "access_denied" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("wrong code", func(t *testing.T) {
		da := start(t)
		if err := testidp.DeviceApprove(ctx, da.VerificationURI, "BBBB-BBBB", testidp.Username, testidp.Password); !errors.Is(err, testidp.ErrDeviceCodeRejected) {
			t.Fatalf("err = %v", err)
		}
	})
}
