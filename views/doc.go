// Package views holds kfsui's widgets: the path tree, the viewer, the
// header and footer bars, the help screen, and the chroma formatter that
// turns highlighted text into tview tags. Widgets know nothing of
// Kubernetes: they take paths, names and text, and escape all of it, since
// it comes from the cluster.
//
// Concurrency: like every tview primitive, the widgets are for the UI
// goroutine only. Highlight and TagFormatter are pure and safe from any
// goroutine, so slow highlighting can happen off the UI goroutine.
package views
