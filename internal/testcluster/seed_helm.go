package testcluster

import (
	"context"
	"fmt"
	"os"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DemoRelease is the Helm release SeedDemo installs in team-a, with two
// revisions: an upgrade changed its greeting and its replicas.
const DemoRelease = "shop"

// helmRelease installs DemoRelease with the Helm SDK and upgrades it
// once, unless it is there already.
func (s seeder) helmRelease(ctx context.Context) error {
	const ns = "team-a"
	existing, err := s.cs.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{LabelSelector: "owner=helm,name=" + DemoRelease})
	if err != nil {
		return fmt.Errorf("looking for release %s: %w", DemoRelease, err)
	}
	if len(existing.Items) > 0 {
		return nil
	}
	dir, err := os.MkdirTemp("", "kfsui-demo-chart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path, err := HelmChart{Name: "shop", Version: "1.4.0", AppVersion: "2.1", ExtraTemplates: 2}.Write(dir)
	if err != nil {
		return err
	}
	ch, err := LoadChart(path)
	if err != nil {
		return err
	}
	if err := s.cluster.HelmInstall(ctx, ns, DemoRelease, "secret", ch, map[string]any{"greeting": "hello", "replicas": 1}); err != nil {
		return fmt.Errorf("installing release %s: %w", DemoRelease, err)
	}
	if err := s.cluster.HelmUpgrade(ctx, ns, DemoRelease, "secret", ch, map[string]any{"greeting": "hello, world", "replicas": 2}); err != nil {
		return fmt.Errorf("upgrading release %s: %w", DemoRelease, err)
	}
	return nil
}
