package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// switchFigures are what switching contexts costs.
type switchFigures struct {
	switches []time.Duration // :ctx - Enter → the other context's big directory on screen, restored
	// Watch streams open at exit on the context shown last and on the
	// one hidden for longer than the idle timeout.
	shownWatches, hiddenWatches int
	idle                        time.Duration
	// The UI's RSS with one context, and with the second one connected
	// but hidden past the idle timeout: what an idle extra context costs.
	rssOne, rssTwo int64
}

// measureSwitch runs a session of its own on a kubeconfig with two
// contexts of the bench cluster, the second through localhost so that its
// requests can be told apart. Both show the big directory; then :ctx -
// switches back and forth between the two, connected already, and each
// switch is timed from its Enter to the frame with the 10,000 pods of the
// context switched to. At the end the second context stays hidden past
// the idle timeout, and the watches still open on it are counted.
func measureSwitch(dir, bin string, c *testcluster.Cluster, scale testcluster.Scale) (switchFigures, error) {
	f := switchFigures{idle: 3 * time.Second}
	kubeconfig, err := twoContexts(dir, c)
	if err != nil {
		return f, err
	}
	s, err := startSession(dir, bin, kubeconfig, 100, scale, "--idle-timeout", f.idle.String())
	if s != nil {
		defer s.close()
	}
	if err != nil {
		return f, err
	}
	x, tr := s.x, s.tr
	pid := s.first.Pid
	if f.rssOne, _, _, err = memory(pid); err != nil {
		return f, err
	}
	command := func(text string) (enter event, err error) {
		mark := len(tr.events())
		if err := x.send(":"); err != nil {
			return event{}, err
		}
		time.Sleep(100 * time.Millisecond)
		if err := x.send("-l", text); err != nil {
			return event{}, err
		}
		if err := x.send("Enter"); err != nil {
			return event{}, err
		}
		return waitAfter(tr, mark, "the Enter of :"+text, func(e event) bool { return e.Ev == "key" && e.Key == "Enter" })
	}
	bigShown := func(mark int) (event, error) {
		return waitAfter(tr, mark, "the big directory", func(e event) bool {
			return e.Ev == "dir" && e.Path == bigPods && !e.Loading && e.Entries == scale.BigPods
		})
	}
	// The second context: connected and its big directory listed, untimed.
	mark := len(tr.events())
	if _, err := command("other:" + bigPods); err != nil {
		return f, err
	}
	if _, err := bigShown(mark); err != nil {
		return f, err
	}
	for range 6 {
		time.Sleep(500 * time.Millisecond)
		mark := len(tr.events())
		enter, err := command("ctx -")
		if err != nil {
			return f, err
		}
		shown, err := bigShown(mark)
		if err != nil {
			return f, err
		}
		f.switches = append(f.switches, time.Duration(shown.T-enter.When))
	}
	// Six switches end on "other"; back to dev, and other stays hidden.
	if _, err := command("ctx dev"); err != nil {
		return f, err
	}
	time.Sleep(2*f.idle + time.Second)
	if f.rssTwo, _, _, err = memory(pid); err != nil {
		return f, err
	}
	if err := x.send("q"); err != nil {
		return f, err
	}
	reqs, err := tr.wait("the request counts", time.Minute, func(e event) bool { return e.Ev == "requests" })
	if err != nil {
		return f, err
	}
	shown, hidden, err := hosts(c)
	if err != nil {
		return f, err
	}
	f.shownWatches, f.hiddenWatches = reqs.Open[shown], reqs.Open[hidden]
	slices.Sort(f.switches)
	return f, nil
}

// twoContexts writes a kubeconfig with the cluster's context "dev" and
// "other", the same cluster and user through localhost.
func twoContexts(dir string, c *testcluster.Cluster) (string, error) {
	cfg, err := clientcmd.LoadFromFile(c.KubeconfigPath)
	if err != nil {
		return "", err
	}
	kctx := *cfg.Contexts[cfg.CurrentContext]
	cluster := *cfg.Clusters[kctx.Cluster]
	_, other, err := hosts(c)
	if err != nil {
		return "", err
	}
	cluster.Server = "https://" + other
	cfg.Clusters["other"] = &cluster
	kctx.Cluster = "other"
	cfg.Contexts["other"] = &kctx
	path := filepath.Join(dir, "kubeconfig-two-contexts")
	return path, clientcmd.WriteToFile(*cfg, path)
}

// hosts are the cluster's address as dev and as other reach it.
func hosts(c *testcluster.Cluster) (dev, other string, err error) {
	u, err := url.Parse(c.Server)
	if err != nil {
		return "", "", err
	}
	if !strings.HasPrefix(u.Host, "127.0.0.1:") {
		return "", "", fmt.Errorf("the cluster is at %s, not 127.0.0.1", u.Host)
	}
	return u.Host, "localhost:" + u.Port(), nil
}
