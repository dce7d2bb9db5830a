# Sourced by the scripts that build a Go program kfsui runs but does not
# link (scripts/kube-binaries.sh, scripts/metrics-server.sh): each is built
# in a throwaway wrapper module that requires it, so its dependencies never
# enter kfsui's go.mod, and installed into a cache directory keyed by
# version. Progress goes to stderr.

# cached_build_have DIR NAME...: whether every NAME is an executable in DIR.
cached_build_have() {
  local dir=$1 name
  shift
  for name in "$@"; do
    [ -x "$dir/$name" ] || return 1
  done
}

# cached_build_module TAG MODULE VERSION: makes a wrapper module requiring
# MODULE at VERSION in a temporary directory (removed on exit), enters it
# and sets $work to it. The caller may add replace lines to go.mod.
cached_build_module() {
  local tag=$1 module=$2 version=$3
  command -v go >/dev/null || { echo "$tag: go is not on PATH" >&2; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  printf 'module kfsui.local/%s\n\ngo 1.25\n\nrequire %s %s\n' "$tag" "$module" "$version" > go.mod
}

# cached_build_install LDFLAGS DIR PACKAGE...: builds each package's
# program (named for its last path element) and moves it into DIR
# atomically, so a concurrent or interrupted build never leaves a
# half-written binary in the cache.
cached_build_install() {
  local ldflags=$1 dir=$2 pkg name
  shift 2
  GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldflags" -o "$work/bin/" "$@" >&2
  mkdir -p "$dir"
  for pkg in "$@"; do
    name=${pkg##*/}
    mv "$work/bin/$name" "$dir/.$name.tmp.$$"
    mv "$dir/.$name.tmp.$$" "$dir/$name"
  done
}
