package model

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func secret() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "db", "annotations": map[string]any{
			lastApplied: `{"apiVersion":"v1","kind":"Secret","stringData":{"password":"hunter22"},"data":{"token":"c2VjcmV0LXRva2Vu"}}` + "\n",
		}},
		"data": map[string]any{"password": "aHVudGVyMjI=", "token": "c2VjcmV0LXRva2Vu", "bin": "AAEC"},
		"type": "Opaque",
	}}
}

func TestSecretsAreMaskedUnlessRevealed(t *testing.T) {
	obj := secret()
	text, err := ManifestYAML(maskSecret(obj, false))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"aHVudGVyMjI=", "hunter22", "c2VjcmV0LXRva2Vu", "secret-token", "AAEC"} {
		if strings.Contains(text, leak) {
			t.Errorf("masked manifest contains %q:\n%s", leak, text)
		}
	}
	for _, want := range []string{"password: '[hidden: 8 bytes]'", "token: '[hidden: 12 bytes]'", "bin: '[hidden: 3 bytes]'", `"password":"[hidden: 8 bytes]"`} {
		if !strings.Contains(text, want) {
			t.Errorf("masked manifest lacks %q:\n%s", want, text)
		}
	}
	if obj.Object["data"].(map[string]any)["password"] != "aHVudGVyMjI=" {
		t.Error("masking changed the object it was given")
	}

	text, err = ManifestJSON(maskSecret(obj, true))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"password": "hunter22"`, `"token": "secret-token"`, `"bin": "AAEC"`} {
		if !strings.Contains(text, want) {
			t.Errorf("revealed manifest lacks %q:\n%s", want, text)
		}
	}
}
