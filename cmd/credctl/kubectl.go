package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// The client.authentication.k8s.io versions of ExecCredential credctl speaks.
const (
	execCredV1      = "client.authentication.k8s.io/v1"
	execCredV1beta1 = "client.authentication.k8s.io/v1beta1"
)

type kubectlCredentialOptions struct{ Name string }

func newKubectlCredentialCmd(a *app) *cobra.Command {
	opts := &kubectlCredentialOptions{}
	cmd := &cobra.Command{
		Use:   "kubectl-credential NAME",
		Short: "Print a Kubernetes ExecCredential with the access token (kubectl exec plugin)",
		Long: `kubectl runs it as an exec credential plugin (credctl kubeconfig writes the
stanza); the ExecCredential's version (v1 or v1beta1) is the one kubectl asks
for in KUBERNETES_EXEC_INFO. A User profile without a session logs in
(texts on stderr) only when kubectl says the session is interactive.
`,
		Args:              wantArgs("kubectl-credential", "NAME"),
		ValidArgsFunction: a.completeProfile,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			return kubectlCredentialRun(a, opts)
		},
	}
	return cmd
}

// execInfo is what KUBERNETES_EXEC_INFO holds of interest here.
type execInfo struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		Interactive bool `json:"interactive"`
	} `json:"spec"`
}

// execCredential is the plugin's answer, the same shape in v1 and v1beta1.
type execCredential struct {
	APIVersion string               `json:"apiVersion"`
	Kind       string               `json:"kind"`
	Status     execCredentialStatus `json:"status"`
}

type execCredentialStatus struct {
	ExpirationTimestamp string `json:"expirationTimestamp,omitempty"` // RFC 3339
	Token               string `json:"token"`
}

func kubectlCredentialRun(a *app, opts *kubectlCredentialOptions) error {
	info := execInfo{APIVersion: execCredV1}
	if raw := os.Getenv("KUBERNETES_EXEC_INFO"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &info); err != nil {
			return fmt.Errorf("KUBERNETES_EXEC_INFO is not an ExecCredential (%v): run this from kubectl", err)
		}
	}
	switch info.APIVersion {
	case execCredV1, execCredV1beta1:
	default:
		return fmt.Errorf("kubectl asks for ExecCredential %q; credctl speaks %s and %s: set one of them as the exec apiVersion in the kubeconfig",
			info.APIVersion, execCredV1, execCredV1beta1)
	}
	tok, p, err := a.helperToken(opts.Name, info.Spec.Interactive)
	if err == nil {
		err = dpopHelperRefusal("kubectl-credential", p) // helpers_dpop.go
	}
	if err != nil {
		return err
	}
	out := execCredential{APIVersion: info.APIVersion, Kind: "ExecCredential", Status: execCredentialStatus{Token: tok.AccessToken}}
	if !tok.Expiry.IsZero() {
		out.Status.ExpirationTimestamp = tok.Expiry.UTC().Format(time.RFC3339)
	}
	return json.NewEncoder(a.stdout).Encode(out)
}

type kubeconfigOptions struct {
	Name, Server, Context string
}

func newKubeconfigCmd(a *app) *cobra.Command {
	opts := &kubeconfigOptions{}
	cmd := &cobra.Command{
		Use:   "kubeconfig NAME --server URL [--name CONTEXT]",
		Short: "Print a kubeconfig whose user gets its token from credctl kubectl-credential",
		Long: `The kubeconfig has one cluster (--server), one user that runs
'credctl kubectl-credential NAME' (provideClusterInfo, interactiveMode
IfAvailable) and one context, CONTEXT (default: NAME), which is current:
  credctl kubeconfig dev --server https://k8s.example.com:6443 > ~/.kube/dev.yaml
  KUBECONFIG=~/.kube/config:~/.kube/dev.yaml kubectl --context dev get pods
`,
		Args:              wantArgs("kubeconfig", "NAME"),
		ValidArgsFunction: a.completeProfile,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			return kubeconfigRun(a, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Server, "server", "", "the API server's `URL`, e.g. https://k8s.example.com:6443")
	cmd.Flags().StringVar(&opts.Context, "name", "", "`name` of the context, cluster and user (default: the profile name)")
	return cmd
}

func kubeconfigRun(a *app, opts *kubeconfigOptions) error {
	u, err := url.Parse(opts.Server)
	switch {
	case opts.Server == "":
		return &usageError{cmd: "kubeconfig", msg: "missing --server URL, e.g. --server https://k8s.example.com:6443"}
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return &usageError{cmd: "kubeconfig", msg: fmt.Sprintf("--server %q is not an http(s) URL, e.g. https://k8s.example.com:6443", opts.Server)}
	}
	p, err := a.profile(opts.Name) // the profile must exist; the kubeconfig names it as stored
	if err != nil {
		return err
	}
	name := opts.Context
	if name == "" {
		name = p.Name
	}
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) } // a JSON string is a YAML scalar
	_, err = fmt.Fprintf(a.stdout, `apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: %[2]s
users:
- name: %[1]s
  user:
    exec:
      apiVersion: %[3]s
      command: %[4]s
      args: ["kubectl-credential", %[5]s]
      provideClusterInfo: true
      interactiveMode: IfAvailable
contexts:
- name: %[1]s
  context:
    cluster: %[1]s
    user: %[1]s
current-context: %[1]s
`, q(name), q(opts.Server), execCredV1beta1, q(selfCommand()), q(p.Name))
	return err
}

// selfCommand is how the kubeconfig calls credctl: "credctl" when that is
// this binary on PATH (it survives upgrades), else this binary's path.
func selfCommand() string {
	self, err := os.Executable()
	if err != nil {
		return "credctl"
	}
	self, _ = filepath.EvalSymlinks(self)
	if onPath, err := exec.LookPath("credctl"); err == nil {
		if p, err := filepath.EvalSymlinks(onPath); err == nil && p == self {
			return "credctl"
		}
	}
	if strings.TrimSpace(self) == "" {
		return "credctl"
	}
	return self
}
