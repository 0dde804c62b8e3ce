package store

// makeFilesPrivate: Windows has no umask; files under the per-user
// %LOCALAPPDATA% inherit an ACL that only the user (and administrators) can read.
func makeFilesPrivate() {}
