package model

import (
	"context"
	"fmt"
)

// Exists reports whether p names something, as the listings tell it: nil
// if it does (or cannot be known, as under a listing the user may not
// read), an error wrapping ErrNoSuchPath if it does not, another error if
// the listings could not be had. It waits for the listings it needs
// (Sync) and, below an object, reads the directory p is in, so a log or a
// revision costs what listing its directory costs; a leaf of an object
// costs no request. Safe from any goroutine.
func (fs *FS) Exists(ctx context.Context, p Path) error {
	switch p.Kind {
	case KindRoot, KindNamespaces, KindClusterDir, KindAll:
		return nil
	case KindLink:
		return fs.Exists(ctx, p.Target())
	case KindNamespace:
		if err := fs.Sync(ctx, p); err != nil {
			return err
		}
		return fs.checkNamespace(p)
	case KindTypeDir:
		if p.All {
			_, err := fs.TypeOf(p)
			return err
		}
		if err := fs.checkNamespace(p); err != nil {
			return err
		}
		_, err := fs.TypeOf(p)
		return err
	case KindObject:
		if err := fs.Sync(ctx, p); err != nil {
			return err
		}
		return fs.checkObject(p)
	}
	parent := p.Parent()
	if err := fs.Exists(ctx, parent); err != nil {
		return err
	}
	d, err := fs.ReadDir(ctx, parent)
	if err != nil {
		return err
	}
	for _, e := range d.Entries {
		if e.Path == p {
			return nil
		}
	}
	return fmt.Errorf("%w: %s", ErrNoSuchPath, p)
}
