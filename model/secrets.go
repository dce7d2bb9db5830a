package model

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// lastApplied is the annotation kubectl apply leaves; on a Secret it holds
// the applied data in the clear.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// maskSecret returns a copy of Secret obj for display: unless reveal, the
// values under data and stringData (also inside the last-applied
// annotation) become "[hidden: N bytes]", as kubectl describe tells only
// sizes; with reveal, data values are shown base64-decoded where they are
// text. obj itself is left alone.
func maskSecret(obj *unstructured.Unstructured, reveal bool) *unstructured.Unstructured {
	out := obj.DeepCopy()
	if reveal {
		if data, ok := out.Object["data"].(map[string]any); ok {
			for k, v := range data {
				if s, ok := v.(string); ok {
					data[k] = decodeIfText(s)
				}
			}
		}
		return out
	}
	maskValues(out.Object)
	if ann := out.GetAnnotations(); ann[lastApplied] != "" {
		var applied map[string]any
		if err := json.Unmarshal([]byte(ann[lastApplied]), &applied); err == nil {
			maskValues(applied)
			var b strings.Builder
			enc := json.NewEncoder(&b) // ends with a newline, as kubectl's
			enc.SetEscapeHTML(false)
			_ = enc.Encode(applied)
			ann[lastApplied] = b.String()
		} else {
			ann[lastApplied] = "[hidden: not valid JSON]"
		}
		out.SetAnnotations(ann)
	}
	return out
}

// maskValues hides the values of a Secret's data (base64: the decoded
// size is told) and stringData.
func maskValues(secret map[string]any) {
	if data, ok := secret["data"].(map[string]any); ok {
		for k, v := range data {
			s, _ := v.(string)
			n := base64.StdEncoding.DecodedLen(len(s)) - strings.Count(s, "=")
			data[k] = hidden(n)
		}
	}
	if data, ok := secret["stringData"].(map[string]any); ok {
		for k, v := range data {
			s, _ := v.(string)
			data[k] = hidden(len(s))
		}
	}
}

func hidden(n int) string {
	if n == 1 {
		return "[hidden: 1 byte]"
	}
	return fmt.Sprintf("[hidden: %d bytes]", n)
}

// decodeIfText returns base64 value s decoded when it is text (valid UTF-8,
// no control characters but newlines and tabs); anything else stays
// encoded, since binary bytes cannot be shown.
func decodeIfText(s string) string {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || !utf8.Valid(b) {
		return s
	}
	for _, r := range string(b) {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return s
		}
	}
	return string(b)
}
