package views

// A search's results (the tree's :grep) show as the tree narrowed to them:
// in each directory on the way from where the search started down to the
// objects that matched, only the entries leading to a match stay. Unlike
// the name filter, which narrows one directory as it is typed, this spans
// several levels, and stays until cleared or replaced.

// SetKept narrows each directory in dirs to its entries in keep (paths of
// nodes, as TreeEntry.Path); an entry outside dirs is not touched. nil
// dirs shows everything again. It returns how many of keep's paths the
// tree holds now. UI goroutine only.
func (t *Tree) SetKept(dirs, keep map[string]bool) int {
	prev := t.keptDirs
	t.keptDirs, t.kept = dirs, keep
	for d := range prev {
		if !dirs[d] {
			t.render(d, true)
		}
	}
	for d := range dirs {
		t.render(d, true)
	}
	n := 0
	for p := range keep {
		if t.nodes[p] != nil {
			n++
		}
	}
	return n
}

// Kept reports whether a search narrows the tree.
func (t *Tree) Kept() bool { return t.keptDirs != nil }

// keptOut reports whether the search hides entry path of directory dir.
func (t *Tree) keptOut(dir, path string) bool {
	return t.keptDirs[dir] && !t.kept[path]
}
