package testcluster

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"helm.sh/helm/v4/pkg/action"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/kube"
	rspb "helm.sh/helm/v4/pkg/release/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

//go:embed helm-version
var helmVersionFile string

// HelmVersion is the pinned Helm release: the helm CLI the tests run,
// built by scripts/helm.sh, and the SDK version go.mod requires.
var HelmVersion = strings.TrimSpace(helmVersionFile)

// envHelm overrides where the helm binary is found.
const envHelm = "KFSUI_HELM"

// HelmPath returns the helm CLI to run: $KFSUI_HELM if set, else the one
// scripts/helm.sh builds, ${XDG_CACHE_HOME:-~/.cache}/kfsui/helm/<version>/.
func HelmPath() (string, error) {
	return cachedProgram(envHelm, "helm", HelmVersion, "scripts/helm.sh")
}

// Helm runs the pinned helm CLI as the admin against the cluster and
// returns its stdout; on failure the error includes stderr. Its caches
// and config live in Dir. Safe from any goroutine.
func (c *Cluster) Helm(ctx context.Context, args ...string) ([]byte, error) {
	return c.HelmDriver(ctx, "", args...)
}

// HelmDriver is Helm with HELM_DRIVER set to driver ("" for helm's
// default, Secrets).
func (c *Cluster) HelmDriver(ctx context.Context, driver string, args ...string) ([]byte, error) {
	bin, err := HelmPath()
	if err != nil {
		return nil, err
	}
	full := append([]string{"--kubeconfig=" + c.KubeconfigPath, "--kube-context=" + c.Context}, args...)
	cmd := exec.CommandContext(ctx, bin, full...)
	home := filepath.Join(c.Dir, "helm")
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home+"/cache", "HELM_CONFIG_HOME="+home+"/config",
		"HELM_DATA_HOME="+home+"/data", "NO_COLOR=1", "HELM_DRIVER="+driver)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("helm %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// HelmChart describes the small chart the harness writes and installs:
// a Deployment and a ConfigMap made from its values, a hook, and notes.
type HelmChart struct {
	// Name and Version are the chart's; AppVersion its appVersion.
	Name, Version, AppVersion string
	// Broken makes one template an object the API server refuses, so an
	// install fails and its release is recorded as failed.
	Broken bool
	// ExtraTemplates adds that many ConfigMaps, each its own template,
	// for a chart of realistic size.
	ExtraTemplates int
}

// Write writes the chart into a new directory below dir and returns
// its path.
func (h HelmChart) Write(dir string) (string, error) {
	root := filepath.Join(dir, h.Name+"-"+h.Version)
	files := map[string]string{
		"Chart.yaml": fmt.Sprintf("apiVersion: v2\nname: %s\ndescription: A chart the kfsui harness writes\ntype: application\nversion: %s\nappVersion: %q\n",
			h.Name, h.Version, h.AppVersion),
		"values.yaml": "replicas: 1\nimage: nginx:1.27\ngreeting: hello\nresources:\n  cpu: 100m\n  memory: 64Mi\n",
		"templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  labels:
    app.kubernetes.io/instance: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/instance: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/instance: {{ .Release.Name }}
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
          resources:
            requests:
              cpu: {{ .Values.resources.cpu }}
              memory: {{ .Values.resources.memory }}
`,
		"templates/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  greeting: {{ .Values.greeting | quote }}
  replicas: {{ .Values.replicas | quote }}
`,
		"templates/hook.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-hook
  annotations:
    "helm.sh/hook": post-install,post-upgrade
    "helm.sh/hook-delete-policy": before-hook-creation
data:
  revision: {{ .Release.Revision | quote }}
`,
		"templates/NOTES.txt": "{{ .Release.Name }} greets with {{ .Values.greeting }}.\nRevision {{ .Release.Revision }}.\n",
	}
	if h.Broken {
		files["templates/broken.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}_Not_A_Valid_Name\ndata:\n  x: y\n"
	}
	for i := range h.ExtraTemplates {
		files[fmt.Sprintf("templates/extra-%02d.yaml", i)] = fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-extra-%02d
  labels:
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/managed-by: {{ .Release.Service }}
data:
  index: "%d"
  greeting: {{ .Values.greeting | quote }}
  {{- range $k, $v := .Values.resources }}
  {{ $k }}: {{ $v | quote }}
  {{- end }}
`, i, i)
	}
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return "", err
		}
	}
	return root, nil
}

// LoadChart loads the chart written to dir, as helm install does.
func LoadChart(dir string) (*chart.Chart, error) { return loader.Load(dir) }

// helmConfig is a Helm SDK configuration acting as the admin in ns, with
// the storage driver ("secret" or "configmap").
func (c *Cluster) helmConfig(ns, driver string) (*action.Configuration, error) {
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig, flags.Context, flags.Namespace = &c.KubeconfigPath, &c.Context, &ns
	cache := filepath.Join(c.Dir, "helm", "kube-cache")
	flags.CacheDir = &cache
	cfg := action.NewConfiguration()
	// The SDK logs its progress at Info and Debug; the tests keep quiet.
	cfg.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)).Handler())
	if err := cfg.Init(flags, ns, driver); err != nil {
		return nil, err
	}
	return cfg, nil
}

// HelmInstall installs ch as release name in ns with the Helm SDK, as
// helm install (without --wait) would, keeping the release in Secrets,
// or in ConfigMaps with driver "configmap". The error of an install
// that fails is returned; its release stays, recorded as failed.
func (c *Cluster) HelmInstall(ctx context.Context, ns, name, driver string, ch *chart.Chart, values map[string]any) error {
	cfg, err := c.helmConfig(ns, driver)
	if err != nil {
		return err
	}
	in := action.NewInstall(cfg)
	in.ReleaseName, in.Namespace, in.WaitStrategy, in.Timeout = name, ns, kube.HookOnlyStrategy, time.Minute
	_, err = in.RunWithContext(ctx, ch, values)
	return err
}

// HelmUpgrade upgrades release name in ns to ch with values, as helm
// upgrade does.
func (c *Cluster) HelmUpgrade(ctx context.Context, ns, name, driver string, ch *chart.Chart, values map[string]any) error {
	cfg, err := c.helmConfig(ns, driver)
	if err != nil {
		return err
	}
	up := action.NewUpgrade(cfg)
	up.Namespace, up.WaitStrategy, up.Timeout = ns, kube.HookOnlyStrategy, time.Minute
	_, err = up.RunWithContext(ctx, name, ch, values)
	return err
}

// HelmUninstall uninstalls release name in ns, as helm uninstall does.
func (c *Cluster) HelmUninstall(ctx context.Context, ns, name, driver string) error {
	cfg, err := c.helmConfig(ns, driver)
	if err != nil {
		return err
	}
	un := action.NewUninstall(cfg)
	un.WaitStrategy, un.Timeout = kube.HookOnlyStrategy, time.Minute
	_, err = un.Run(name)
	return err
}

// HelmRender renders ch as release name in ns with values, as helm
// install --dry-run=client does, and returns the release it would store:
// for benchmarks that write many releases' records directly.
func (c *Cluster) HelmRender(ctx context.Context, ns, name string, ch *chart.Chart, values map[string]any) (*rspb.Release, error) {
	cfg, err := c.helmConfig(ns, "secret")
	if err != nil {
		return nil, err
	}
	in := action.NewInstall(cfg)
	in.ReleaseName, in.Namespace, in.DryRunStrategy = name, ns, action.DryRunClient
	got, err := in.RunWithContext(ctx, ch, values)
	if err != nil {
		return nil, err
	}
	rel, ok := got.(*rspb.Release)
	if !ok {
		return nil, fmt.Errorf("render %s: unexpected release type %T", name, got)
	}
	return rel, nil
}
