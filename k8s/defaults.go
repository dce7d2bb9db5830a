package k8s

import (
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	admregv1 "k8s.io/kubernetes/pkg/apis/admissionregistration/v1"
	appsv1 "k8s.io/kubernetes/pkg/apis/apps/v1"
	autoscalingv1 "k8s.io/kubernetes/pkg/apis/autoscaling/v1"
	autoscalingv2 "k8s.io/kubernetes/pkg/apis/autoscaling/v2"
	batchv1 "k8s.io/kubernetes/pkg/apis/batch/v1"
	certificatesv1 "k8s.io/kubernetes/pkg/apis/certificates/v1"
	coordinationv1 "k8s.io/kubernetes/pkg/apis/coordination/v1"
	corev1 "k8s.io/kubernetes/pkg/apis/core/v1"
	discoveryv1 "k8s.io/kubernetes/pkg/apis/discovery/v1"
	eventsv1 "k8s.io/kubernetes/pkg/apis/events/v1"
	flowcontrolv1 "k8s.io/kubernetes/pkg/apis/flowcontrol/v1"
	networkingv1 "k8s.io/kubernetes/pkg/apis/networking/v1"
	policyv1 "k8s.io/kubernetes/pkg/apis/policy/v1"
	rbacv1 "k8s.io/kubernetes/pkg/apis/rbac/v1"
	resourcev1 "k8s.io/kubernetes/pkg/apis/resource/v1"
	schedulingv1 "k8s.io/kubernetes/pkg/apis/scheduling/v1"
	storagev1 "k8s.io/kubernetes/pkg/apis/storage/v1"
)

// Defaults applies the API's defaults to objects of the built-in types,
// with the defaulting functions of the pinned Kubernetes release
// (k8s.io/kubernetes/pkg/apis/*): what the API server does to an object
// before it stores it, short of admission plugins and allocation.
//
// Safe from any goroutine.
type Defaults struct {
	scheme *runtime.Scheme
}

// defaulted are the group-versions whose defaults are registered: the GA
// version of every built-in group with defaulting functions, the versions
// a current server prefers and kfsui reads.
var defaulted = []func(*runtime.Scheme) error{
	admregv1.RegisterDefaults, appsv1.RegisterDefaults, autoscalingv1.RegisterDefaults,
	autoscalingv2.RegisterDefaults, batchv1.RegisterDefaults, certificatesv1.RegisterDefaults,
	coordinationv1.RegisterDefaults, corev1.RegisterDefaults, discoveryv1.RegisterDefaults,
	eventsv1.RegisterDefaults, flowcontrolv1.RegisterDefaults, networkingv1.RegisterDefaults,
	policyv1.RegisterDefaults, rbacv1.RegisterDefaults, resourcev1.RegisterDefaults,
	schedulingv1.RegisterDefaults, storagev1.RegisterDefaults,
}

// APIDefaults returns the defaults of the built-in types. The scheme is
// built on first use, not at start-up.
var APIDefaults = sync.OnceValue(func() *Defaults {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(fmt.Sprintf("k8s: the built-in types: %v", err))
	}
	for _, register := range defaulted {
		if err := register(s); err != nil {
			panic(fmt.Sprintf("k8s: the built-in types' defaults: %v", err))
		}
	}
	return &Defaults{scheme: s}
})

// Knows says whether gvk is a built-in type, whose objects Typed can
// read. Custom resources are not.
func (d *Defaults) Knows(gvk schema.GroupVersionKind) bool {
	return d.scheme.Recognizes(gvk)
}

// Typed reads obj, an object of built-in type gvk as unstructured JSON,
// into its Go type and, if defaulted, applies the API's defaults to it.
// Fields the pinned types do not know are dropped, as any typed client
// drops them.
func (d *Defaults) Typed(obj map[string]any, gvk schema.GroupVersionKind, defaulted bool) (runtime.Object, error) {
	typed, err := d.scheme.New(gvk)
	if err != nil {
		return nil, err
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, typed); err != nil {
		return nil, err
	}
	if defaulted {
		d.scheme.Default(typed)
	}
	return typed, nil
}

// Same says whether two objects read by Typed are equal as the API
// compares them: quantities by value, empty and nil alike.
func (d *Defaults) Same(a, b runtime.Object) bool {
	return equality.Semantic.DeepEqual(a, b)
}
