package model

import (
	"bytes"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/printers"
	"sigs.k8s.io/yaml"
)

// ManifestYAML renders obj as `kubectl get -o yaml` prints it: kubectl's own
// printer with managed fields omitted, so the bytes match kubectl's.
func ManifestYAML(obj *unstructured.Unstructured) (string, error) {
	return printWith(&printers.YAMLPrinter{}, obj)
}

// ManifestJSON renders obj as `kubectl get -o json` prints it.
func ManifestJSON(obj *unstructured.Unstructured) (string, error) {
	return printWith(&printers.JSONPrinter{}, obj)
}

func printWith(p printers.ResourcePrinter, obj *unstructured.Unstructured) (string, error) {
	var buf bytes.Buffer
	// OmitManagedFieldsPrinter works on a copy: obj may be shared.
	if err := (&printers.OmitManagedFieldsPrinter{Delegate: p}).PrintObj(obj, &buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// StatusYAML renders obj's .status as YAML, or "null" when it has none.
func StatusYAML(obj *unstructured.Unstructured) (string, error) {
	status, ok := obj.Object["status"]
	if !ok {
		status = nil
	}
	b, err := yaml.Marshal(status)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
