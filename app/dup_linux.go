package app

import "syscall"

// dup2 makes newfd a copy of oldfd (Linux has only dup3 on every architecture).
func dup2(oldfd, newfd int) error { return syscall.Dup3(oldfd, newfd, 0) }
