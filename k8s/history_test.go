package k8s

import (
	"maps"
	"testing"
)

func TestParseHistoryTable(t *testing.T) {
	table := "REVISION  CHANGE-CAUSE\n1         <none>\n2         kubectl set image deployment/web web=nginx:1.28\n10        a cause  with  spaces\n"
	want := map[int64]string{1: "<none>", 2: "kubectl set image deployment/web web=nginx:1.28", 10: "a cause  with  spaces"}
	if got := parseHistoryTable(table); !maps.Equal(got, want) {
		t.Errorf("parseHistoryTable = %v, want %v", got, want)
	}
	if got := parseHistoryTable("No rollout history found."); len(got) != 0 {
		t.Errorf("no history: %v", got)
	}
}
