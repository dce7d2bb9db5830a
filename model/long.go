package model

import (
	"fmt"
	"io"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/kfsui/kfsui/k8s"
)

// WriteTable prints type directory d as `kubectl get` prints its type:
// the header and a row per object, in d's order, through kubectl's own
// table printer (cli-runtime), so the text is kubectl's apart from the
// ages, which are worked out at now. wide adds the wide columns, as
// `-o wide` does. An empty directory prints nothing, as kubectl prints
// nothing on its standard output.
func WriteTable(w io.Writer, d Dir, wide bool, now time.Time) error {
	table := &metav1.Table{Rows: make([]metav1.TableRow, len(d.Entries))}
	for _, c := range d.Columns {
		table.ColumnDefinitions = append(table.ColumnDefinitions, metav1.TableColumnDefinition{
			Name: c.Name, Type: c.Type, Format: c.Format, Priority: c.Priority,
		})
	}
	for i, e := range d.Entries {
		cells := make([]any, len(d.Columns))
		for j := range cells {
			switch {
			case j >= len(e.Cells):
			case d.Columns[j].Format == k8s.FormatMoment:
				cells[j] = e.Cells[j].Text
			default:
				cells[j] = e.Cells[j].Age(now)
			}
		}
		table.Rows[i].Cells = cells
	}
	return printers.NewTablePrinter(printers.PrintOptions{Wide: wide}).PrintObj(table, w)
}

// ColumnIndex finds the column a user names (case-insensitive, as the
// header prints it: "restarts", "NOMINATED NODE"); "name" is the name
// column. It says which columns there are when none matches.
func ColumnIndex(columns []k8s.Column, name string) (int, error) {
	if strings.EqualFold(name, "name") {
		return k8s.NameColumn(columns), nil
	}
	titles := make([]string, len(columns))
	for i, c := range columns {
		if strings.EqualFold(c.Name, name) {
			return i, nil
		}
		titles[i] = strings.ToUpper(c.Name)
	}
	return -1, fmt.Errorf("no column %q: the columns are %s", name, strings.Join(titles, ", "))
}

// WriteCounts prints directory d (a namespace or /cluster) as a table of
// its types and how many objects each holds; counts[i] < 0 prints "-"
// (the type could not be counted).
func WriteCounts(w io.Writer, d Dir, counts []int) error {
	tw := printers.GetNewTabWriter(w)
	fmt.Fprintln(tw, "NAME\tOBJECTS")
	for i, e := range d.Entries {
		n := "-"
		if i < len(counts) && counts[i] >= 0 {
			n = fmt.Sprint(counts[i])
		}
		fmt.Fprintf(tw, "%s/\t%s\n", printers.EscapeTerminal(e.Name), n)
	}
	return tw.Flush()
}
