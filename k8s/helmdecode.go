package k8s

import (
	"context"
	"fmt"

	"helm.sh/helm/v4/pkg/release"
	rspb "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage/driver"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
)

// helmDecoders bounds how many releases one connection decodes at once
// for CHART columns: each is a GET of up to a megabyte, a gunzip and a
// JSON decode of the whole chart. One at a time leaves a core to the
// keys while hundreds are decoded (two filled 500 CHART cells in about
// the same time on two cores, and made keys wait).
const helmDecoders = 1

// helmDecoder reads releases with Helm's own storage drivers, which GET
// the record and decode it (base64, gzip, JSON) exactly as helm does.
// Only their Get is ever called: they are read-only in kfsui's hands, and
// the read-only transport would refuse anything else.
type helmDecoder struct {
	core kubernetes.Interface
	sem  chan struct{}
}

func newHelmDecoder(core kubernetes.Interface) *helmDecoder {
	return &helmDecoder{core: core, sem: make(chan struct{}, helmDecoders)}
}

// HelmRelease is one revision of a release, decoded.
type HelmRelease struct {
	*rspb.Release
	Record HelmRecord
}

// ChartName is the CHART column of helm list: <chart>-<version>, or
// MISSING for a release without chart metadata.
func (r *HelmRelease) ChartName() string {
	if r.Chart == nil || r.Chart.Metadata == nil {
		return "MISSING"
	}
	return fmt.Sprintf("%s-%s", r.Chart.Name(), r.Chart.Metadata.Version)
}

// AppVersion is the APP VERSION column of helm list.
func (r *HelmRelease) AppVersion() string {
	if r.Chart == nil || r.Chart.Metadata == nil {
		return "MISSING"
	}
	return r.Chart.AppVersion()
}

// Updated is the UPDATED column of helm list: when the revision was last
// deployed, in the local time zone; "" when Helm recorded no time.
func (r *HelmRelease) Updated() string {
	if r.Info == nil || r.Info.LastDeployed.IsZero() {
		return ""
	}
	return r.Info.LastDeployed.String()
}

// Release decodes the revision rec names, with a GET of its Secret or
// ConfigMap. A user who may list but not read Secrets gets a forbidden
// error saying so.
func (d *helmDecoder) Release(ctx context.Context, rec HelmRecord) (*HelmRelease, error) {
	var got release.Releaser
	var err error
	kind := "Secret"
	if rec.ConfigMap {
		kind = "ConfigMap"
		got, err = driver.NewConfigMaps(ctxConfigMaps{d.core.CoreV1().ConfigMaps(rec.Namespace), ctx}).Get(rec.Object)
	} else {
		got, err = driver.NewSecrets(ctxSecrets{d.core.CoreV1().Secrets(rec.Namespace), ctx}).Get(rec.Object)
	}
	if err != nil {
		if apierrors.IsForbidden(err) {
			return nil, fmt.Errorf("forbidden: Helm keeps revision %d of release %s in %s %s/%s, which you may not read: %w",
				rec.Revision, rec.Release, kind, rec.Namespace, rec.Object, err)
		}
		return nil, fmt.Errorf("release %s revision %d (%s %s/%s): %w", rec.Release, rec.Revision, kind, rec.Namespace, rec.Object, err)
	}
	var rel *rspb.Release
	switch r := got.(type) {
	case *rspb.Release:
		rel = r
	case rspb.Release:
		rel = &r
	default:
		return nil, fmt.Errorf("release %s revision %d: unsupported release type %T", rec.Release, rec.Revision, got)
	}
	return &HelmRelease{Release: rel, Record: rec}, nil
}

// HelmRelease decodes the revision rec names; see helmDecoder.Release.
// Safe from any goroutine; it blocks for the GET.
func (c *Conn) HelmRelease(ctx context.Context, rec HelmRecord) (*HelmRelease, error) {
	return c.lists.helm.Release(ctx, rec)
}

// ctxSecrets and ctxConfigMaps give Helm's drivers, which GET with
// context.Background(), the caller's context, so that a closed viewer or a
// stopped command cancels the request.
type ctxSecrets struct {
	typedcorev1.SecretInterface
	ctx context.Context
}

func (s ctxSecrets) Get(_ context.Context, name string, opts metav1.GetOptions) (*corev1.Secret, error) {
	return s.SecretInterface.Get(s.ctx, name, opts)
}

type ctxConfigMaps struct {
	typedcorev1.ConfigMapInterface
	ctx context.Context
}

func (s ctxConfigMaps) Get(_ context.Context, name string, opts metav1.GetOptions) (*corev1.ConfigMap, error) {
	return s.ConfigMapInterface.Get(s.ctx, name, opts)
}
