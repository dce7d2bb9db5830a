package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/themes"
)

// helmFixture is the releases the Helm tests share, installed once with
// the Helm SDK: web (two revisions) and broken (a failed install) and
// cmweb (kept in ConfigMaps) in one namespace, other in a second.
type helmFixture struct {
	ns, other string
}

var (
	helmOnce sync.Once
	helmFix  helmFixture
	helmErr  error
)

// helmReleases installs the shared releases the first time it is called.
func helmReleases(t *testing.T) helmFixture {
	t.Helper()
	c := testcluster.Shared(t)
	helmOnce.Do(func() {
		helmFix = helmFixture{ns: newNamespace(t, "helm"), other: newNamespace(t, "helm-other")}
		helmErr = installHelmFixture(t, c, helmFix)
	})
	if helmErr != nil {
		t.Fatal(helmErr)
	}
	return helmFix
}

func installHelmFixture(t *testing.T, c *testcluster.Cluster, f helmFixture) error {
	dir := t.TempDir()
	good, err := testcluster.HelmChart{Name: "webapp", Version: "0.1.0", AppVersion: "1.27"}.Write(dir)
	if err != nil {
		return err
	}
	bad, err := testcluster.HelmChart{Name: "brokenapp", Version: "0.2.0", AppVersion: "9.9", Broken: true}.Write(dir)
	if err != nil {
		return err
	}
	ch, err := testcluster.LoadChart(good)
	if err != nil {
		return err
	}
	brokenChart, err := testcluster.LoadChart(bad)
	if err != nil {
		return err
	}
	ctx := ctx(t)
	if err := c.HelmInstall(ctx, f.ns, "web", "secret", ch, map[string]any{"replicas": 2, "greeting": "hi"}); err != nil {
		return fmt.Errorf("install web: %w", err)
	}
	if err := c.HelmUpgrade(ctx, f.ns, "web", "secret", ch, map[string]any{"replicas": 3, "greeting": "hi"}); err != nil {
		return fmt.Errorf("upgrade web: %w", err)
	}
	if err := c.HelmInstall(ctx, f.ns, "broken", "secret", brokenChart, nil); err == nil {
		return fmt.Errorf("install broken: want a failure, it succeeded")
	}
	if err := c.HelmInstall(ctx, f.ns, "cmweb", "configmap", ch, map[string]any{"greeting": "from a ConfigMap"}); err != nil {
		return fmt.Errorf("install cmweb: %w", err)
	}
	if err := c.HelmInstall(ctx, f.other, "other", "secret", ch, nil); err != nil {
		return fmt.Errorf("install other: %w", err)
	}
	return nil
}

// TestE2EHelmLeavesMatchHelm reads every release leaf the pinned helm
// prints and compares them byte for byte, for the latest revision and an
// older one, from Secrets and from ConfigMaps.
func TestE2EHelmLeavesMatchHelm(t *testing.T) {
	c := testcluster.Shared(t)
	f := helmReleases(t)
	base := "/namespaces/" + f.ns + "/helm"

	if out, errOut, code := kfsui(t, "ls", base); code != 0 || out != "broken/\ncmweb/\nweb/\n" {
		t.Fatalf("ls %s = %q, exit %d, %s", base, out, code, errOut)
	}
	if out, _, _ := kfsui(t, "ls", base+"/web"); out != "values.yaml\nvalues-all.yaml\nmanifest.yaml\nnotes.txt\nchart.yaml\nhooks.yaml\nstatus.yaml\nrevisions/\n" {
		t.Errorf("ls web = %q", out)
	}
	if out, _, _ := kfsui(t, "ls", base+"/web/revisions"); out != "1/\n2/\n2.diff\n" {
		t.Errorf("ls web/revisions = %q", out)
	}

	cases := []struct {
		path, driver string
		helm         []string
	}{
		{"web/values.yaml", "", []string{"get", "values", "web", "-o", "yaml"}},
		{"web/values-all.yaml", "", []string{"get", "values", "web", "--all", "-o", "yaml"}},
		{"web/manifest.yaml", "", []string{"get", "manifest", "web"}},
		{"web/notes.txt", "", []string{"get", "notes", "web"}},
		{"web/hooks.yaml", "", []string{"get", "hooks", "web"}},
		{"web/revisions/1/values.yaml", "", []string{"get", "values", "web", "--revision", "1", "-o", "yaml"}},
		{"web/revisions/1/manifest.yaml", "", []string{"get", "manifest", "web", "--revision", "1"}},
		{"web/revisions/1/notes.txt", "", []string{"get", "notes", "web", "--revision", "1"}},
		{"broken/manifest.yaml", "", []string{"get", "manifest", "broken"}},
		{"cmweb/values.yaml", "configmap", []string{"get", "values", "cmweb", "-o", "yaml"}},
		{"cmweb/manifest.yaml", "configmap", []string{"get", "manifest", "cmweb"}},
	}
	for _, tc := range cases {
		want, err := c.HelmDriver(ctx(t), tc.driver, append(tc.helm, "-n", f.ns)...)
		if err != nil {
			t.Fatal(err)
		}
		got, errOut, code := kfsui(t, "cat", base+"/"+tc.path)
		if code != 0 || got != string(want) {
			t.Errorf("cat %s (exit %d, %s) differs from helm %s:\n--- kfsui\n%s--- helm\n%s", tc.path, code, errOut, strings.Join(tc.helm, " "), got, want)
		}
	}

	// status.yaml is helm get metadata --revision N -o yaml with the
	// description added.
	want, err := c.Helm(ctx(t), "get", "metadata", "web", "--revision", "2", "-o", "yaml", "-n", f.ns)
	if err != nil {
		t.Fatal(err)
	}
	got, _, _ := kfsui(t, "cat", base+"/web/status.yaml")
	var kept []string
	for l := range strings.SplitSeq(got, "\n") {
		if !strings.HasPrefix(l, "description: ") {
			kept = append(kept, l)
		}
	}
	if strings.Join(kept, "\n") != string(want) || !strings.Contains(got, "description: Upgrade complete") {
		t.Errorf("status.yaml is not helm get metadata -o yaml plus the description:\n--- kfsui\n%s--- helm\n%s", got, want)
	}
	if got, _, _ := kfsui(t, "cat", base+"/broken/status.yaml"); !strings.Contains(got, "status: failed") || !strings.Contains(got, "Not_A_Valid_Name") {
		t.Errorf("the failed release's status.yaml does not say why it failed:\n%s", got)
	}
	if got, _, _ := kfsui(t, "cat", base+"/web/chart.yaml"); !strings.Contains(got, "name: webapp\n") || !strings.Contains(got, "version: 0.1.0\n") {
		t.Errorf("chart.yaml lacks the chart's name and version:\n%s", got)
	}
}

// TestE2EHelmRevisionDiff reads revisions/2.diff: the values and the
// manifest lines the upgrade changed, and nothing else.
func TestE2EHelmRevisionDiff(t *testing.T) {
	f := helmReleases(t)
	diff, errOut, code := kfsui(t, "cat", "/namespaces/"+f.ns+"/helm/web/revisions/2.diff")
	if code != 0 {
		t.Fatalf("cat 2.diff: exit %d, %s", code, errOut)
	}
	var changed []string
	for l := range strings.SplitSeq(diff, "\n") {
		if (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) && !strings.HasPrefix(l, "+++") && !strings.HasPrefix(l, "---") {
			changed = append(changed, l)
		}
	}
	want := []string{"-replicas: 2", "+replicas: 3", `-  replicas: "2"`, `+  replicas: "3"`, "-  replicas: 2", "+  replicas: 3"}
	if !slices.Equal(changed, want) {
		t.Errorf("2.diff changes %q, want %q:\n%s", changed, want, diff)
	}
	for _, head := range []string{"--- revisions/1/values.yaml", "+++ revisions/2/values.yaml", "--- revisions/1/manifest.yaml", "+++ revisions/2/manifest.yaml"} {
		if !strings.Contains(diff, head) {
			t.Errorf("2.diff lacks %q:\n%s", head, diff)
		}
	}
	if _, errOut, code := kfsui(t, "cat", "/namespaces/"+f.ns+"/helm/web/revisions/1.diff"); code == 0 || !strings.Contains(errOut, "no such path") {
		t.Errorf("1.diff (the oldest) = exit %d, %s; want no such path", code, errOut)
	}
}

// helmListRow is one release as helm list -o json prints it.
type helmListRow struct {
	Name       string `json:"name"`
	Namespace  string `json:"namespace"`
	Revision   string `json:"revision"`
	Updated    string `json:"updated"`
	Status     string `json:"status"`
	Chart      string `json:"chart"`
	AppVersion string `json:"app_version"`
}

// TestE2EHelmListMatchesHelmList compares ls -l of a namespace's helm/
// and of /all/helm with helm list and helm list -A (which list releases
// in every status since Helm 4), once for each storage driver, column by
// column, and checks that the failed release counts as failing.
func TestE2EHelmListMatchesHelmList(t *testing.T) {
	c := testcluster.Shared(t)
	f := helmReleases(t)
	for _, tc := range []struct {
		path string
		args []string
	}{
		{"/namespaces/" + f.ns + "/helm", []string{"-n", f.ns}},
		{"/all/helm", []string{"-A"}},
	} {
		var all []helmListRow
		for _, driver := range []string{"", "configmap"} {
			out, err := c.HelmDriver(ctx(t), driver, append([]string{"list", "-o", "json"}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			var rows []helmListRow
			if err := json.Unmarshal(out, &rows); err != nil {
				t.Fatalf("helm list -o json: %v\n%s", err, out)
			}
			all = append(all, rows...)
		}
		got, errOut, code := kfsui(t, "ls", "-l", tc.path)
		if code != 0 {
			t.Fatalf("ls -l %s: exit %d, %s", tc.path, code, errOut)
		}
		table := parseColumns(t, got)
		wantHeader := []string{"NAME", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"}
		if tc.path == "/all/helm" {
			wantHeader = append([]string{"NAMESPACE"}, wantHeader...)
		}
		if !slices.Equal(table.header, wantHeader) {
			t.Errorf("ls -l %s header = %q, want %q", tc.path, table.header, wantHeader)
		}
		found := 0
		for _, r := range all {
			if tc.path == "/all/helm" && r.Namespace != f.ns && r.Namespace != f.other {
				continue // other tests' releases
			}
			name := r.Name
			if tc.path == "/all/helm" {
				name = r.Namespace + ":" + r.Name
			}
			row, ok := table.rows[name]
			if !ok {
				t.Errorf("ls -l %s lacks %s:\n%s", tc.path, name, got)
				continue
			}
			found++
			want := map[string]string{"NAME": r.Name, "NAMESPACE": r.Namespace, "REVISION": r.Revision, "UPDATED": r.Updated,
				"STATUS": r.Status, "CHART": r.Chart, "APP VERSION": r.AppVersion}
			for i, h := range table.header {
				if row[i] != want[h] {
					t.Errorf("ls -l %s: %s's %s = %q, helm list says %q", tc.path, name, h, row[i], want[h])
				}
			}
		}
		if wantN := map[bool]int{true: 4, false: 3}[tc.path == "/all/helm"]; found != wantN {
			t.Errorf("ls -l %s: %d releases compared, want %d:\n%s", tc.path, found, wantN, got)
		}
	}
	out, _, _ := kfsui(t, "ls", "-l", "/namespaces/"+f.ns)
	if !regexp.MustCompile(`(?m)^helm/\s+3\b`).MatchString(out) {
		t.Errorf("ls -l of the namespace does not count 3 releases in helm/:\n%s", out)
	}
}

// TestE2EHelmLiveInTheTree opens a namespace's helm/ in the app: the
// failed release takes the failing colour and counts in the namespace's
// failing count, and a release uninstalled meanwhile leaves the open
// directory without a keypress.
func TestE2EHelmLiveInTheTree(t *testing.T) {
	c := testcluster.Shared(t)
	f := helmReleases(t)
	ns := newNamespace(t, "helm-live")
	dir := t.TempDir()
	path, err := testcluster.HelmChart{Name: "liveapp", Version: "1.0.0", AppVersion: "2"}.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := testcluster.LoadChart(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"keep", "gone"} {
		if err := c.HelmInstall(ctx(t), ns, name, "secret", ch, nil); err != nil {
			t.Fatal(err)
		}
	}
	d := startApp(t, "/namespaces/"+ns+"/helm")
	d.waitText(15*time.Second, "gone/", "keep/", "liveapp-1.0.0", "deployed")
	screen := d.text()
	// UPDATED shows as an age in the tree, as every time does there.
	for _, h := range []string{"NAME", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERS"} {
		if !strings.Contains(screen, h) {
			t.Errorf("the helm directory lacks the column %s:\n%s", h, screen)
		}
	}
	start := time.Now()
	if err := c.HelmUninstall(ctx(t), ns, "gone", "secret"); err != nil {
		t.Fatal(err)
	}
	d.waitFor("the uninstalled release gone from the open directory", 10*time.Second, func(s string) bool {
		return !strings.Contains(s, "gone/") && strings.Contains(s, "keep/")
	})
	t.Logf("an uninstall left the open directory in %v", time.Since(start))

	d.jump("/namespaces/" + f.ns + "/helm")
	d.waitText(15*time.Second, "broken/", "failed", "brokenapp-0.2.0")
	if got, theme := d.colorOf("broken/"), themes.Dark(); got != theme.Failing {
		t.Errorf("the failed release's colour is %v, want the theme's failing %v\n%s", got, theme.Failing, d.text())
	}
	d.jump("/namespaces")
	d.waitText(10*time.Second, f.ns+"/", "1 failing")
}

// TestE2EHelmWithoutSecretAccess: a user who may list Secrets but not
// read them sees the releases and a clear forbidden on opening one; a
// user who may not list them either gets the listing's forbidden.
func TestE2EHelmWithoutSecretAccess(t *testing.T) {
	c := testcluster.Shared(t)
	f := helmReleases(t)
	lister := "helm-lister"
	grantRole(t, f.ns, "secret-lister", lister, rbacv1.PolicyRule{
		APIGroups: []string{""}, Resources: []string{"secrets", "configmaps"}, Verbs: []string{"list", "watch"},
	})
	kubeconfig, err := c.WriteUserKubeconfig(lister, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := "/namespaces/" + f.ns + "/helm"
	if out, errOut, code := kfsuiWith(t, kubeconfig, "ls", base); code != 0 || out != "broken/\ncmweb/\nweb/\n" {
		t.Errorf("ls %s as a lister = %q, exit %d, %s", base, out, code, errOut)
	}
	out, errOut, code := kfsuiWith(t, kubeconfig, "cat", base+"/web/values.yaml")
	if code == 0 || !strings.Contains(errOut, "forbidden") || !strings.Contains(errOut, "which you may not read") || out != "" {
		t.Errorf("cat values.yaml as a lister = %q, exit %d, stderr %q; want a clear forbidden", out, code, errOut)
	}

	// Who may list Secrets and not ConfigMaps sees the releases kept in
	// Secrets, without waiting for the ConfigMaps.
	secretsOnly := "helm-secrets-only"
	grantRole(t, f.ns, "secret-only-lister", secretsOnly, rbacv1.PolicyRule{
		APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"list", "watch"},
	})
	kubeconfig, err = c.WriteUserKubeconfig(secretsOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := kfsuiWith(t, kubeconfig, "ls", base); code != 0 || out != "broken/\nweb/\n" {
		t.Errorf("ls %s as a Secrets-only lister = %q, exit %d, %s", base, out, code, errOut)
	}

	nobody := "helm-nobody"
	grantRole(t, f.ns, "pod-reader", nobody, rbacv1.PolicyRule{
		APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"},
	})
	kubeconfig, err = c.WriteUserKubeconfig(nobody, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := kfsuiWith(t, kubeconfig, "ls", base); code == 0 || !strings.Contains(errOut, "forbidden") {
		t.Errorf("ls %s without Secret access = %q, exit %d, stderr %q; want forbidden", base, out, code, errOut)
	}
}

// columnTable is ls -l's output split into its columns: each column
// starts where its header starts, as kubectl aligns them.
type columnTable struct {
	header []string
	rows   map[string][]string // by the name, or namespace:name
}

func parseColumns(t *testing.T, out string) columnTable {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	headLine := lines[0]
	var starts []int
	var header []string
	for i := 0; i < len(headLine); {
		if headLine[i] == ' ' {
			i++
			continue
		}
		// A header ends at two spaces (APP VERSION has one inside).
		end := strings.Index(headLine[i:], "  ")
		if end < 0 {
			end = len(headLine) - i
		}
		starts = append(starts, i)
		header = append(header, headLine[i:i+end])
		i += end
	}
	table := columnTable{header: header, rows: map[string][]string{}}
	for _, l := range lines[1:] {
		cells := make([]string, len(starts))
		for j, s := range starts {
			end := len(l)
			if j+1 < len(starts) {
				end = min(starts[j+1], len(l))
			}
			if s < len(l) {
				cells[j] = strings.TrimSpace(l[s:end])
			}
		}
		key := cells[0]
		if header[0] == "NAMESPACE" && len(cells) > 1 {
			key += ":" + cells[1]
		}
		table.rows[key] = cells
	}
	return table
}
