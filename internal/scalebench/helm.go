package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	helmcommon "helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/release/common"
	rspb "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage/driver"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// The Helm bench (--helm K9S): a namespace of 500 releases of 3 revisions
// each, written as Helm's own storage writes them (Secrets, through its
// driver) from a chart of 30 templates rendered by the SDK, then the real
// kfsui and the real k9s (:helm) side by side in tmux, alternately:
//
//   - process start → every release's NAME and STATUS listed (k9s's
//     title counting them, kfsui's breadcrumb);
//   - → CHART filled for every release (k9s shows it at once; kfsui
//     decodes in the background and its breadcrumb says how many are
//     left), with kfsui's keys pressed meanwhile and their latency to the
//     redraw read from its trace;
//   - the memory (PSS) of each tool's processes ten seconds on;
//   - and `kfsui ls -l` of the directory, which prints once every CHART
//     is decoded, from start to exit.

const (
	helmNamespace = "releases"
	helmRevisions = 3
	helmTemplates = 30
)

// helmFigures are the Helm bench's results, one per run.
type helmFigures struct {
	k9sRows, kfsuiRows, kfsuiCharts []time.Duration
	k9sPSS, kfsuiPSS                []int64
	keys                            []time.Duration // every key pressed while CHART filled in, all runs
	keysPressed                     int
	slowest                         []string // each run's slowest keys: total = queued + handled and drawn + shown
	headless                        []time.Duration
}

func runHelm(k9s string, small bool, runs int) error {
	if _, err := os.Stat(k9s); err != nil {
		return fmt.Errorf("k9s: %w (build it with: GOBIN=DIR go install github.com/derailed/k9s@v0.50.16)", err)
	}
	ctx := context.Background()
	n := 500
	if small {
		n = 50
	}
	dir, bin, c, tearDown, err := setUp(ctx, "kfsui-helm-")
	if err != nil {
		return err
	}
	defer tearDown()
	began := time.Now()
	size, err := seedReleases(ctx, c, n)
	if err != nil {
		return err
	}
	fmt.Printf("seeded %d releases × %d revisions (%s of records) in %s\n", n, helmRevisions, mb(size), time.Since(began).Round(time.Second))

	k9sEnv := []string{"K9S_CONFIG_DIR=" + filepath.Join(dir, "k9s"), "XDG_CONFIG_HOME=" + filepath.Join(dir, "xdg"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "xdg"), "XDG_STATE_HOME=" + filepath.Join(dir, "xdg"), "XDG_CACHE_HOME=" + filepath.Join(dir, "xdg")}
	kfsuiEnv := []string{"XDG_CONFIG_HOME=" + filepath.Join(dir, "xdg-kfsui"), "XDG_STATE_HOME=" + filepath.Join(dir, "xdg-kfsui")}
	helmDir := "/namespaces/" + helmNamespace + "/helm"
	var f helmFigures
	for i := range runs {
		d, mem, err := timeScreen(dir, fmt.Sprintf("k9s-helm-%d", i), k9sEnv,
			fmt.Sprintf("%s --kubeconfig %s --context dev -n %s -c helm --readonly --logoless", k9s, c.KubeconfigPath, helmNamespace),
			"k9s's helm view", k9sHelmReady(n))
		if err != nil {
			return err
		}
		f.k9sRows, f.k9sPSS = append(f.k9sRows, d[0]), append(f.k9sPSS, mem)
		if err := kfsuiHelmSession(dir, bin, c.KubeconfigPath, kfsuiEnv, helmDir, n, i, &f); err != nil {
			return err
		}
		start := time.Now()
		cmd := exec.Command(bin, "--kubeconfig", c.KubeconfigPath, "ls", "-l", helmDir)
		cmd.Env = append(os.Environ(), kfsuiEnv...)
		out, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("kfsui ls -l: %v", err)
		}
		f.headless = append(f.headless, time.Since(start))
		if lines := strings.Count(string(out), "\n"); lines != n+1 || strings.Contains(string(out), "   \n") {
			return fmt.Errorf("kfsui ls -l printed %d lines, want %d with CHART filled:\n%s", lines, n+1, out)
		}
		fmt.Printf("  run %d: k9s rows %s (%s); kfsui rows %s, CHART %s (%s), ls -l %s\n", i+1,
			ms(f.k9sRows[i]), mb(f.k9sPSS[i]), ms(f.kfsuiRows[i]), ms(f.kfsuiCharts[i]), mb(f.kfsuiPSS[i]), ms(f.headless[i]))
	}
	printHelm(f, n)
	return nil
}

// k9sHelmTitle is the title of k9s's helm view once listed:
// "helm(releases)[500]".
var k9sHelmTitle = regexp.MustCompile(`(?i)helm\(` + helmNamespace + `\)\[([\d,]+)\]`)

// k9sHelmReady reports whether k9s's helm view counts total releases and
// shows a CHART in its first row.
func k9sHelmReady(total int) func(string) bool {
	return func(screen string) bool {
		m := k9sHelmTitle.FindStringSubmatch(screen)
		return m != nil && strings.ReplaceAll(m[1], ",", "") == strconv.Itoa(total) && firstCell(screen, "CHART") != ""
	}
}

// kfsuiHelmSession times one kfsui session on the helm directory: rows,
// then CHART, pressing j and k meanwhile, then its memory.
func kfsuiHelmSession(dir, bin, kubeconfig string, env []string, helmDir string, n, i int, f *helmFigures) error {
	tr := &trace{path: filepath.Join(dir, fmt.Sprintf("trace-helm-%d.jsonl", i))}
	s, err := startScreen(dir, fmt.Sprintf("kfsui-helm-%d", i), 400, 60, append(env, "KFSUI_TRACE="+tr.path),
		fmt.Sprintf("%s --kubeconfig %s --path %s", bin, kubeconfig, helmDir))
	if err != nil {
		return err
	}
	defer s.close()
	listed := fmt.Sprintf("%s: %d entries", helmDir, n)
	rows, err := s.waitScreen("kfsui's releases listed", 5*time.Minute, func(screen string) bool {
		return strings.Contains(screen, listed) && firstCell(screen, "STATUS") != ""
	})
	if err != nil {
		return err
	}
	mark := len(tr.events())
	// Keys while CHART fills in: down and up again, one each 50 ms.
	done := make(chan struct{})
	pressed := make(chan int, 1)
	go func() {
		count := 0
		for k := 0; ; k++ {
			select {
			case <-done:
				pressed <- count
				return
			case <-time.After(50 * time.Millisecond):
			}
			key := "j"
			if k%20 >= 10 {
				key = "k"
			}
			if s.x.send(key) == nil {
				count++
			}
		}
	}()
	// From the trace, not the screen: reading tmux's screen every few
	// milliseconds would slow the very terminal writes the keys are timed
	// by.
	filled, err := tr.wait("kfsui's CHART column filled", 5*time.Minute, func(e event) bool {
		return e.Ev == "dir" && e.Path == helmDir && e.Entries == n && !e.Loading && e.Pending == 0
	})
	close(done)
	count := <-pressed
	if err != nil {
		return err
	}
	start, err := readStart(s.startFile)
	if err != nil {
		return err
	}
	charts := time.Duration(filled.T - start)
	if screen := s.screen(); firstCell(screen, "CHART") == "" || strings.Contains(screen, "decoding ") {
		return fmt.Errorf("the trace says CHART is filled, the screen does not:\n%s", screen)
	}
	if err := waitKeys(tr, mark, count, func(k string) bool { return k == "Rune[j]" || k == "Rune[k]" }); err != nil {
		return err
	}
	upDown := func(k string) bool { return k == "Rune[j]" || k == "Rune[k]" }
	lat := keyLatencies(tr.events()[mark:], upDown)
	f.keys, f.keysPressed = append(f.keys, lat...), f.keysPressed+count
	f.slowest = append(f.slowest, slowest(tr.events()[mark:], upDown, 3))
	time.Sleep(10 * time.Second)
	mem, err := s.pss()
	if err != nil {
		return err
	}
	f.kfsuiRows, f.kfsuiCharts, f.kfsuiPSS = append(f.kfsuiRows, rows), append(f.kfsuiCharts, charts), append(f.kfsuiPSS, mem)
	_ = s.x.send("q")
	time.Sleep(time.Second)
	return nil
}

// seedReleases writes n releases of helmRevisions revisions each into
// helmNamespace through Helm's Secrets driver, as helm upgrade leaves
// them: the older revisions superseded, the latest deployed (every 50th
// failed). The chart has helmTemplates templates; its manifest is
// rendered once by the SDK and named for each release. It returns the
// records' total size.
func seedReleases(ctx context.Context, c *testcluster.Cluster, n int) (int64, error) {
	cs := c.Clientset()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: helmNamespace}}, metav1.CreateOptions{}); err != nil {
		return 0, err
	}
	tmp, err := os.MkdirTemp("", "kfsui-helm-chart-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	path, err := testcluster.HelmChart{Name: "bench", Version: "1.0.0", AppVersion: "3.2.1", ExtraTemplates: helmTemplates - 4}.Write(tmp)
	if err != nil {
		return 0, err
	}
	ch, err := testcluster.LoadChart(path)
	if err != nil {
		return 0, err
	}
	fatten(ch)
	const model = "rel-model"
	rendered, err := c.HelmRender(ctx, helmNamespace, model, ch, map[string]any{"replicas": 2})
	if err != nil {
		return 0, err
	}
	secrets := driver.NewSecrets(cs.CoreV1().Secrets(helmNamespace))
	start := time.Now().Add(-time.Hour)
	jobs := make(chan int)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range jobs {
				name := fmt.Sprintf("rel-%03d", i)
				for rev := 1; rev <= helmRevisions; rev++ {
					rel := *rendered
					rel.Name, rel.Version, rel.Config = name, rev, map[string]any{"replicas": rev}
					rel.Manifest = strings.ReplaceAll(rendered.Manifest, model, name)
					status := common.StatusSuperseded
					if rev == helmRevisions {
						status = common.StatusDeployed
						if i%50 == 49 {
							status = common.StatusFailed
						}
					}
					at := start.Add(time.Duration(i*helmRevisions+rev) * time.Second)
					rel.Info = &rspb.Info{FirstDeployed: start, LastDeployed: at, Status: status, Description: "Upgrade complete",
						Notes: strings.ReplaceAll(rendered.Info.Notes, model, name)}
					if err := secrets.Create(fmt.Sprintf("sh.helm.release.v1.%s.v%d", name, rev), &rel); err != nil {
						errs <- fmt.Errorf("writing %s revision %d: %w", name, rev, err)
						return
					}
				}
			}
		})
	}
	for i := range n {
		select {
		case jobs <- i:
		case err := <-errs:
			close(jobs)
			wg.Wait()
			return 0, err
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	list, err := cs.CoreV1().Secrets(helmNamespace).List(ctx, metav1.ListOptions{LabelSelector: "owner=helm"})
	if err != nil {
		return 0, err
	}
	var size int64
	for _, s := range list.Items {
		size += int64(len(s.Data["release"]))
	}
	if len(list.Items) != n*helmRevisions {
		return 0, fmt.Errorf("%d records written, want %d", len(list.Items), n*helmRevisions)
	}
	return size, nil
}

// fatten makes the harness's small chart as big as charts in use are:
// each extra template a Deployment of some forty lines of template, a
// values.yaml of a few hundred keys and a README, with text that varies
// as real text does (gzip does not make it vanish). Records come out at
// tens of kilobytes each, as a common chart's do.
func fatten(ch *chart.Chart) {
	word := func(i, j int) string { return fmt.Sprintf("%x", (i*7919+j*104729)%65521*2654435761%4294967296) }
	for i, t := range ch.Templates {
		if !strings.HasPrefix(t.Name, "templates/extra-") {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-worker-%02d\n", i)
		fmt.Fprintf(&b, "  labels:\n    app.kubernetes.io/instance: {{ .Release.Name }}\n    app.kubernetes.io/component: worker-%02d\n", i)
		fmt.Fprintf(&b, "  annotations:\n    checksum/config: %s%s%s%s\n", word(i, 1), word(i, 2), word(i, 3), word(i, 4))
		b.WriteString("spec:\n  replicas: {{ .Values.replicas }}\n  selector:\n    matchLabels:\n      app.kubernetes.io/instance: {{ .Release.Name }}\n")
		fmt.Fprintf(&b, "      app.kubernetes.io/component: worker-%02d\n  template:\n    metadata:\n      labels:\n", i)
		fmt.Fprintf(&b, "        app.kubernetes.io/instance: {{ .Release.Name }}\n        app.kubernetes.io/component: worker-%02d\n", i)
		b.WriteString("    spec:\n      containers:\n        - name: worker\n          image: {{ .Values.image }}\n          env:\n")
		for j := range 12 {
			fmt.Fprintf(&b, "            - name: SETTING_%s_%d\n              value: {{ .Values.settings.key%03d | quote }}\n", strings.ToUpper(word(i, j)), j, (i*12+j)%300)
		}
		b.WriteString("          resources:\n            requests:\n              cpu: {{ .Values.resources.cpu }}\n              memory: {{ .Values.resources.memory }}\n")
		b.WriteString("          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: 8080\n            periodSeconds: 10\n")
		t.Data = []byte(b.String())
	}
	settings := map[string]any{}
	for k := range 300 {
		settings[fmt.Sprintf("key%03d", k)] = word(k, 99) + "-" + word(k, 98)
	}
	ch.Values["settings"] = settings
	var readme strings.Builder
	readme.WriteString("# bench\n\nA chart as big as the charts people install.\n\n| key | default | description |\n| --- | --- | --- |\n")
	for k := range 300 {
		fmt.Fprintf(&readme, "| settings.key%03d | %s | what setting %s does, in a sentence or two of prose |\n", k, word(k, 99), word(k, 97))
	}
	ch.Files = append(ch.Files, &helmcommon.File{Name: "README.md", Data: []byte(readme.String())})
}

func printHelm(f helmFigures, n int) {
	med := func(d []time.Duration) time.Duration {
		s := slices.Clone(d)
		slices.Sort(s)
		return s[len(s)/2]
	}
	medMem := func(m []int64) int64 {
		s := slices.Clone(m)
		slices.Sort(s)
		return s[len(s)/2]
	}
	slices.Sort(f.keys)
	fmt.Printf("\nHelm releases: %d releases × %d revisions, chart of %d templates; medians of %d runs\n", n, helmRevisions, helmTemplates, len(f.k9sRows))
	fmt.Println("| figure | kfsui | k9s v0.50.16 | target |")
	fmt.Println("| --- | --- | --- | --- |")
	fmt.Printf("| start → all %d NAME/STATUS rows listed | %s | %s | ≥ 10× faster: %.1f× |\n", n, ms(med(f.kfsuiRows)), ms(med(f.k9sRows)),
		float64(med(f.k9sRows))/float64(med(f.kfsuiRows)))
	fmt.Printf("| start → CHART filled for every release | %s | (with the rows) | |\n", ms(med(f.kfsuiCharts)))
	fmt.Printf("| memory (PSS), 10 s on | %s | %s | ≤ ¼: %.2f |\n", mb(medMem(f.kfsuiPSS)), mb(medMem(f.k9sPSS)),
		float64(medMem(f.kfsuiPSS))/float64(medMem(f.k9sPSS)))
	if len(f.keys) > 0 {
		fmt.Printf("| keys while CHART fills in (%d pressed, %d drawn): p50 / p99 / max | %s / %s / %s | | max ≤ 16 ms |\n",
			f.keysPressed, len(f.keys), ms(pct(f.keys, 50)), ms(pct(f.keys, 99)), ms(f.keys[len(f.keys)-1]))
	}
	fmt.Printf("| kfsui ls -l (every CHART), start → exit | %s | | |\n", ms(med(f.headless)))
	fmt.Println("\nslowest keys, ms (total = waiting for the UI goroutine + handling and drawing + writing to the terminal):", strings.Join(f.slowest, " | "))
	fmt.Println("each run (ms): k9s rows", durations(f.k9sRows), "| kfsui rows", durations(f.kfsuiRows), "| kfsui CHART", durations(f.kfsuiCharts), "| ls -l", durations(f.headless))
}

func durations(d []time.Duration) string {
	var out []string
	for _, x := range d {
		out = append(out, fmt.Sprintf("%.0f", float64(x)/1e6))
	}
	return strings.Join(out, " ")
}
